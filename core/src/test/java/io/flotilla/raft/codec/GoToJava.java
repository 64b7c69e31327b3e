package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a parsed Go {@code %#v} value from {@code vectors.json} into the Java value the codec should decode
 * the vector to. Go decodes an empty byte string as nil; the Java side keeps it empty, and so does this.
 */
final class GoToJava {
    private GoToJava() {
    }

    /** The value of a vector's {@code go_value}: a message, a {@link WireResponse} or a {@link Configuration}. */
    static Object convert(String goValue) {
        if (goValue.startsWith("error=")) {
            int sep = goValue.indexOf(" ; ");
            String error = GoValue.parseString(goValue.substring("error=".length(), sep));
            String rest = goValue.substring(sep + 3);
            if (rest.equals("<nil>")) {
                return WireResponse.error(error);
            }
            return new WireResponse(error, Optional.of(message((GoValue.Struct) GoValue.parse(rest))));
        }
        Object parsed = GoValue.parse(goValue);
        if (parsed instanceof GoValue.Struct s && s.type().equals("raft.Configuration")) {
            return configuration(s);
        }
        if (parsed instanceof GoValue.Struct s) {
            return message(s);
        }
        return parsed;
    }

    static RpcMessage message(GoValue.Struct s) {
        RpcHeader header = new RpcHeader((int) s.struct("RPCHeader").uint("ProtocolVersion"));
        return switch (s.type()) {
            case "raft.AppendEntriesRequest" -> new AppendEntriesRequest(header, s.uint("Term"), s.bytes("Leader"),
                    s.uint("PrevLogEntry"), s.uint("PrevLogTerm"), entries(s.get("Entries")), s.uint("LeaderCommitIndex"));
            case "raft.AppendEntriesResponse" -> new AppendEntriesResponse(header, s.uint("Term"), s.uint("LastLog"),
                    (Boolean) s.get("Success"), (Boolean) s.get("NoRetryBackoff"));
            case "raft.RequestVoteRequest" -> new RequestVoteRequest(header, s.uint("Term"), s.bytes("Candidate"),
                    s.uint("LastLogIndex"), s.uint("LastLogTerm"), (Boolean) s.get("LeadershipTransfer"));
            case "raft.RequestVoteResponse" -> new RequestVoteResponse(header, s.uint("Term"), s.bytes("Peers"),
                    (Boolean) s.get("Granted"));
            case "raft.InstallSnapshotRequest" -> new InstallSnapshotRequest(header, (int) s.uint("SnapshotVersion"),
                    s.uint("Term"), s.bytes("Leader"), s.uint("LastLogIndex"), s.uint("LastLogTerm"), s.bytes("Peers"),
                    s.bytes("Configuration"), s.uint("ConfigurationIndex"), s.uint("Size"));
            case "raft.InstallSnapshotResponse" -> new InstallSnapshotResponse(header, s.uint("Term"),
                    (Boolean) s.get("Success"));
            case "raft.TimeoutNowRequest" -> new TimeoutNowRequest(header);
            case "raft.TimeoutNowResponse" -> new TimeoutNowResponse(header);
            default -> throw new IllegalArgumentException("unknown Go type " + s.type());
        };
    }

    private static List<LogEntry> entries(Object value) {
        if (value == null) {
            return null;
        }
        List<LogEntry> entries = new ArrayList<>();
        for (Object o : (List<?>) value) {
            GoValue.Struct log = (GoValue.Struct) o;
            entries.add(new LogEntry(log.uint("Index"), log.uint("Term"), LogType.fromCode((int) log.uint("Type")),
                    log.bytes("Data"), log.bytes("Extensions")));
        }
        return entries;
    }

    private static Configuration configuration(GoValue.Struct s) {
        List<Server> servers = new ArrayList<>();
        Object list = s.get("Servers");
        if (list != null) {
            for (Object o : (List<?>) list) {
                GoValue.Struct server = (GoValue.Struct) o;
                servers.add(new Server(Suffrage.fromCode(server.uint("Suffrage")),
                        ServerId.of((String) server.get("ID")), ServerAddress.of((String) server.get("Address"))));
            }
        }
        return new Configuration(servers);
    }
}
