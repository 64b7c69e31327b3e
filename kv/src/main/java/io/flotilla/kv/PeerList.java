package io.flotilla.kv;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --peers} flag: {@code id=host:port,id=host:port[/nonvoter],...}, parsed with the Go node's rules
 * (blank parts skipped, a {@code /nonvoter} suffix makes a non-voter, the address must split into host and
 * port) into the bootstrap configuration.
 */
final class PeerList {
    private PeerList() {
    }

    /**
     * Parses the flag's value; an empty value gives an empty configuration.
     *
     * @throws IllegalArgumentException with the Go node's text for a malformed entry
     */
    static Configuration parse(String spec) {
        List<Server> servers = new ArrayList<>();
        for (String raw : spec.split(",", -1)) {
            String part = raw.strip();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new IllegalArgumentException("bad peer " + GoQuote.quote(part) + ", want id=host:port[/nonvoter]");
            }
            String id = part.substring(0, eq);
            String addr = part.substring(eq + 1);
            Suffrage suffrage = Suffrage.VOTER;
            if (addr.endsWith("/nonvoter")) {
                suffrage = Suffrage.NONVOTER;
                addr = addr.substring(0, addr.length() - "/nonvoter".length());
            }
            try {
                GoNet.checkHostPort(addr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad peer " + GoQuote.quote(part) + ": " + e.getMessage());
            }
            servers.add(new Server(suffrage, ServerId.of(id), ServerAddress.of(addr)));
        }
        return new Configuration(servers);
    }
}
