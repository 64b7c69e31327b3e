package io.flotilla.kv.e2e;

import io.flotilla.kv.DemoCommand;
import io.flotilla.kv.KvProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./flotilla demo} runs to the end: leader killed, nothing lost, a node added by snapshot, exit 0. */
class DemoE2ETest {
    @Test
    void theDemoRunsToTheEnd(@TempDir Path tmp) throws Exception {
        Path output = tmp.resolve("demo.out");
        Process p = new ProcessBuilder(KvProcess.javaCommand(DemoCommand.class.getName(),
                List.of("--write-seconds", "2", "--clients", "8")))
                .redirectOutput(output.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the demo finishes within two minutes").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("election: ", "kill -9 ", "acknowledged writes survived",
                "n4 joined", "InstallSnapshot", "removed ", "done in ");
        Matcher dir = Pattern.compile("removed (\\S+)").matcher(out);
        assertThat(dir.find()).isTrue();
        assertThat(Path.of(dir.group(1))).doesNotExist();
    }
}
