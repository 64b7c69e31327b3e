package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses {@code host:port} strings the way Go's {@code net.SplitHostPort} does, and prints socket addresses the
 * way Go's {@code net.TCPAddr.String()} does, so that the addresses a Flotilla node advertises are the strings
 * a Go node would write for the same socket.
 */
final class HostPort {
    private HostPort() {
    }

    /**
     * Parses a listen address: {@code 127.0.0.1:7000}, {@code [::1]:0}, {@code :7000} (every interface).
     *
     * @throws IOException if the text is not {@code host:port} or the host does not resolve
     */
    static InetSocketAddress parseBind(String address) throws IOException {
        String[] hp = split(address);
        int port = port(address, hp[1]);
        if (hp[0].isEmpty()) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(resolve(address, hp[0]), port);
    }

    /**
     * Parses a peer's address for dialling; the host may be a name, resolved now.
     *
     * @throws IOException if the text is not {@code host:port} or the host does not resolve
     */
    static InetSocketAddress parseDial(ServerAddress address) throws IOException {
        String text = address.value();
        String[] hp = split(text);
        int port = port(text, hp[1]);
        if (hp[0].isEmpty()) {
            // Go dials the local system for an empty host.
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        return new InetSocketAddress(resolve(text, hp[0]), port);
    }

    /** {@code ip:port} as Go prints a {@code *net.TCPAddr}: IPv6 compressed and in brackets. */
    static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        return formatIp(ip, true) + ":" + address.getPort();
    }

    /** Whether the address's IP is the unspecified address (0.0.0.0 or ::), which peers cannot dial. */
    static boolean isUnspecified(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return ip == null || ip.isAnyLocalAddress();
    }

    static String formatIp(InetAddress ip, boolean bracketV6) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        byte[] b = ip.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // Go (and RFC 5952) replace the first longest run of two or more zero groups with "::".
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        if (ip instanceof Inet6Address v6 && v6.getScopedInterface() != null) {
            sb.append('%').append(v6.getScopedInterface().getName());
        } else if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            sb.append('%').append(v6.getScopeId());
        }
        return bracketV6 ? "[" + sb + "]" : sb.toString();
    }

    private static String[] split(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IOException("address " + address + ": missing port in address");
        }
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) {
                throw new IOException("address " + address + ": missing ']' in address");
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IOException("address " + address + ": too many colons in address");
        }
        return new String[] {host, port};
    }

    private static int port(String address, String port) throws IOException {
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IOException("address " + address + ": invalid port");
        }
    }

    private static InetAddress resolve(String address, String host) throws IOException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("address " + address + ": no such host");
        }
    }
}
