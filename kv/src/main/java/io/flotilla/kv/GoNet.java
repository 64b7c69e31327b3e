package io.flotilla.kv;

/** Go's {@code net.SplitHostPort} checks, with its error texts, for addresses given on the command line and API. */
final class GoNet {
    private GoNet() {
    }

    /**
     * Checks that {@code hostport} splits into a host and a port as Go's {@code net.SplitHostPort} would.
     *
     * @throws IllegalArgumentException with Go's text ({@code address x: missing port in address}, ...)
     */
    static void checkHostPort(String hostport) {
        String missingPort = "missing port in address";
        String tooManyColons = "too many colons in address";
        int j = 0;
        int k = 0;
        int i = hostport.lastIndexOf(':');
        if (i < 0) {
            throw error(hostport, missingPort);
        }
        if (hostport.charAt(0) == '[') {
            int end = hostport.indexOf(']');
            if (end < 0) {
                throw error(hostport, "missing ']' in address");
            }
            if (end + 1 == hostport.length()) {
                throw error(hostport, missingPort);
            } else if (end + 1 != i) {
                if (hostport.charAt(end + 1) == ':') {
                    throw error(hostport, tooManyColons);
                }
                throw error(hostport, missingPort);
            }
            j = 1;
            k = end + 1;
        } else if (hostport.substring(0, i).indexOf(':') >= 0) {
            throw error(hostport, tooManyColons);
        }
        if (hostport.indexOf('[', j) >= 0) {
            throw error(hostport, "unexpected '[' in address");
        }
        if (hostport.indexOf(']', k) >= 0) {
            throw error(hostport, "unexpected ']' in address");
        }
    }

    private static IllegalArgumentException error(String addr, String why) {
        return new IllegalArgumentException(addr.isEmpty() ? why : "address " + addr + ": " + why);
    }
}
