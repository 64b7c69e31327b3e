package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hashicorp's {@code tcp_transport_test.go}, and the rest of the TCP stream layer's address rules. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TcpTransportTest {
    @Test
    void bad_addr() {
        assertThatThrownBy(() -> NetworkTransport.tcp("0.0.0.0:0", 1, Duration.ZERO))
                .isInstanceOf(NotAdvertisableException.class)
                .hasMessage("local bind address is not advertisable");
    }

    @Test
    void with_advertise() throws IOException {
        try (NetworkTransport trans = NetworkTransport.tcp("0.0.0.0:0",
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 12345), 1, Duration.ZERO)) {
            assertThat(trans.localAddress()).isEqualTo(ServerAddress.of("127.0.0.1:12345"));
        }
    }

    @Test
    void an_unspecified_advertised_address_is_refused_too() {
        assertThatThrownBy(() -> TcpStreamLayer.bind("127.0.0.1:0", new InetSocketAddress(0)))
                .isInstanceOf(NotAdvertisableException.class);
    }

    @Test
    void port_zero_binds_a_free_port_and_advertises_it() throws IOException {
        try (TcpStreamLayer layer = TcpStreamLayer.bind("127.0.0.1:0")) {
            int port = layer.boundAddress().getPort();
            assertThat(port).isPositive();
            assertThat(layer.address()).isEqualTo(ServerAddress.of("127.0.0.1:" + port));
        }
    }

    @Test
    void ipv6_addresses_are_written_as_go_writes_them() throws IOException {
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("::1"), 7000))).isEqualTo("[::1]:7000");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 1)))
                .isEqualTo("[2001:db8::1:0:0:1]:1");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("fe80:0:0:0:0:0:0:0"), 1)))
                .isEqualTo("[fe80::]:1");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("1:2:3:4:5:6:7:8"), 1)))
                .isEqualTo("[1:2:3:4:5:6:7:8]:1");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("1:0:3:4:5:6:7:8"), 1)))
                .as("a single zero group is not compressed").isEqualTo("[1:0:3:4:5:6:7:8]:1");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getByName("::ffff:10.0.0.1"), 1)))
                .isEqualTo("10.0.0.1:1");
    }

    @Test
    @SuppressWarnings("try")
    void an_ipv6_loopback_bind_works_where_the_host_has_ipv6() throws IOException {
        boolean ipv6;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            ipv6 = true;
        } catch (IOException e) {
            ipv6 = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6, "no IPv6 loopback here");
        try (TcpStreamLayer layer = TcpStreamLayer.bind("[::1]:0")) {
            assertThat(layer.address().value()).startsWith("[::1]:");
        }
        assertThatThrownBy(() -> TcpStreamLayer.bind("[::]:0")).isInstanceOf(NotAdvertisableException.class);
    }

    @Test
    void malformed_bind_addresses_are_refused() {
        assertThatThrownBy(() -> TcpStreamLayer.bind("127.0.0.1")).hasMessageContaining("missing port");
        assertThatThrownBy(() -> TcpStreamLayer.bind("127.0.0.1:http")).hasMessageContaining("invalid port");
        assertThatThrownBy(() -> TcpStreamLayer.bind("::1:0")).hasMessageContaining("too many colons");
        assertThatThrownBy(() -> TcpStreamLayer.bind("127.0.0.1:70000")).hasMessageContaining("invalid port");
    }

    @Test
    void sockets_have_tcp_nodelay() throws IOException {
        try (TcpStreamLayer layer = TcpStreamLayer.bind("127.0.0.1:0");
             var dialled = layer.dial(layer.address(), Duration.ofSeconds(1));
             var accepted = layer.accept()) {
            assertThat(dialled.getTcpNoDelay()).isTrue();
            assertThat(accepted.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void dialling_a_closed_port_fails_quickly() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (NetworkTransport trans = NetworkTransport.tcp("127.0.0.1:0", 1, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> trans.appendEntries(NetTestSupport.ID1, ServerAddress.of("127.0.0.1:" + port),
                    NetTestSupport.cartman())).isInstanceOf(IOException.class)
                    .hasMessageContaining("dial tcp 127.0.0.1:" + port);
        }
    }
}
