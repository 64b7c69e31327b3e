package io.flotilla.raft.transport.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logger that keeps every line it is given (and passes it on to the real test logger), for assertions. */
final class RecordingLogger extends LegacyAbstractLogger {
    /** One logged line. */
    record Line(Level level, String message) {
    }

    private static final Logger DELEGATE = LoggerFactory.getLogger(NetworkTransport.class);

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    RecordingLogger() {
        this.name = "recording";
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    /** How many lines contain {@code text}. */
    long count(String text) {
        return lines.stream().filter(l -> l.message().contains(text)).count();
    }

    /** Whether some line contains every one of {@code texts}. */
    boolean has(String... texts) {
        return lines.stream().anyMatch(l -> {
            for (String t : texts) {
                if (!l.message().contains(t)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        lines.add(new Line(level, message));
        DELEGATE.atLevel(level).setCause(throwable).log("[recorded] {}", message);
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
