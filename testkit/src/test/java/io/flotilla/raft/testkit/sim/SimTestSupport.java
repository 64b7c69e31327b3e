package io.flotilla.raft.testkit.sim;

/** Shared knobs of the simulator tests: system properties let a soak run more seeds or steps. */
final class SimTestSupport {
    private SimTestSupport() {
    }

    static int intProperty(String name, int dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    static long longProperty(String name, long dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Long.parseLong(v.trim());
    }

    static String property(String name, String dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    static int threads() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }
}
