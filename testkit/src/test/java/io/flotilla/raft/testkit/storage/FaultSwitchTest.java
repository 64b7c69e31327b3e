package io.flotilla.raft.testkit.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultSwitchTest {
    private final FaultSwitch faults = new FaultSwitch();

    @Test
    void a_new_switch_lets_everything_through() {
        assertThat(faults.isArmed()).isFalse();
        assertThatCode(() -> faults.check("op")).doesNotThrowAnyException();
        assertThat(faults.injected()).isZero();
    }

    @Test
    void fail_next_fails_exactly_that_many_operations() throws Exception {
        faults.failNext(2);
        assertThatThrownBy(() -> faults.check("storeLogs"))
                .isInstanceOf(InjectedIOException.class).hasMessage("injected fault: storeLogs");
        assertThatThrownBy(() -> faults.check("storeLogs")).isInstanceOf(InjectedIOException.class);
        assertThat(faults.isArmed()).isFalse();
        faults.check("storeLogs");
        assertThat(faults.injected()).isEqualTo(2);
    }

    @Test
    void fail_always_fails_until_healed() throws Exception {
        faults.failAlways();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> faults.check("op")).isInstanceOf(InjectedIOException.class);
        }
        faults.heal();
        faults.check("op");
        assertThat(faults.injected()).isEqualTo(5);
    }

    @Test
    void arming_again_replaces_the_previous_setting() throws Exception {
        faults.failNext(5);
        faults.failNext(1);
        assertThatThrownBy(() -> faults.check("op")).isInstanceOf(InjectedIOException.class);
        faults.check("op");
    }

    @Test
    void a_negative_count_is_rejected() {
        assertThatThrownBy(() -> faults.failNext(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrent_callers_share_exactly_n_failures() throws Exception {
        faults.failNext(100);
        AtomicInteger failures = new AtomicInteger();
        List<Callable<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tasks.add(() -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        faults.check("op");
                    } catch (InjectedIOException e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            });
        }
        Concurrently.run(tasks);
        assertThat(failures).hasValue(100);
        assertThat(faults.injected()).isEqualTo(100);
    }
}
