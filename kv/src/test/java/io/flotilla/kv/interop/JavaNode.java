package io.flotilla.kv.interop;

import io.flotilla.kv.KvCommand;
import io.flotilla.kv.KvFsm;
import io.flotilla.kv.KvResult;
import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.snapshot.FileSnapshotStore;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.transport.net.NetworkTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Flotilla node in the test JVM: {@link Raft} over a TCP {@link NetworkTransport}, with the {@link KvFsm}, an
 * in-memory log and a file snapshot store (the same pieces a Go node has, minus the HTTP API).
 */
final class JavaNode implements KvNode {
    private static final Duration CALL = Duration.ofSeconds(10);

    private final String id;
    private final Settings settings;
    private final String address;
    /** Survives {@link #kill}, like a disk: a restarted node finds its term, vote and log. */
    private final InmemStore store = new InmemStore();
    private final FileSnapshotStore snapshots;
    private volatile NetworkTransport transport;
    private volatile KvFsm fsm = new KvFsm();
    private volatile Raft raft;
    private volatile boolean killed;

    private JavaNode(String id, Settings settings, NetworkTransport transport, FileSnapshotStore snapshots) {
        this.id = id;
        this.settings = settings;
        this.transport = transport;
        this.address = transport.localAddress().value();
        this.snapshots = snapshots;
    }

    /**
     * Binds the transport to a free loopback port; {@link #start} then starts raft. The node's id is {@code name},
     * or its address if the settings want ids to be addresses (protocol versions below 3).
     */
    static JavaNode create(String name, Settings settings, Path dir) throws IOException {
        NetworkTransport t = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));
        try {
            String id = settings.idsAreAddresses() ? t.localAddress().value() : name;
            return new JavaNode(id, settings, t, new FileSnapshotStore(dir.resolve(name), 2));
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Starts raft, first bootstrapping the stores with {@code bootstrap} if given. */
    JavaNode start(Optional<Configuration> bootstrap) throws IOException {
        RaftConfig config = settings.raftConfig(id);
        if (bootstrap.isPresent()) {
            Raft.bootstrapCluster(config, store, store, snapshots, transport, bootstrap.get());
        }
        raft = Raft.builder(config).fsm(fsm).store(store).snapshotStore(snapshots).transport(transport)
                .meterRegistry(new SimpleMeterRegistry()).start();
        return this;
    }

    /**
     * Starts a killed node again on the same address with the same stores (log, term, vote, snapshots) and a fresh
     * state machine, as a process restart would.
     */
    JavaNode restart() throws IOException {
        if (!killed) {
            throw new IllegalStateException(this + " is running");
        }
        transport = NetworkTransport.tcp(address, 3, Duration.ofSeconds(5));
        fsm = new KvFsm();
        killed = false;
        return start(Optional.empty());
    }

    Raft raft() {
        return raft;
    }

    KvFsm fsm() {
        return fsm;
    }

    Server asVoter() {
        return Server.voter(id, raftAddress());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String raftAddress() {
        return address;
    }

    @Override
    public String kind() {
        return "java";
    }

    @Override
    public String state() {
        return raft.state().toString();
    }

    @Override
    public String leaderAddress() {
        return raft.leader().value();
    }

    @Override
    public KvFsm.Digest digest() {
        return fsm.digest();
    }

    @Override
    public long lastSnapshotIndex() {
        return Long.parseLong(raft.stats().get("last_snapshot_index"));
    }

    @Override
    public long restores() {
        return fsm.restores();
    }

    @Override
    public String dump() {
        return fsm.dump().toString();
    }

    @Override
    public Write put(String key, String value) {
        return apply(KvCommand.set(key, value).encode());
    }

    @Override
    public Write apply(byte[] entry) {
        ApplyResult r = await(raft.apply(entry, CALL), "apply");
        return new Write(r.index(), ((KvResult) r.response()).toJson());
    }

    @Override
    public long addVoter(KvNode node) {
        return await(raft.addVoter(ServerId.of(node.id()), ServerAddress.of(node.raftAddress()), 0, CALL),
                "addVoter " + node.id());
    }

    @Override
    public long addNonvoter(KvNode node) {
        return await(raft.addNonvoter(ServerId.of(node.id()), ServerAddress.of(node.raftAddress()), 0, CALL),
                "addNonvoter " + node.id());
    }

    @Override
    public long removeServer(String serverId) {
        return await(raft.removeServer(ServerId.of(serverId), 0, CALL), "removeServer " + serverId);
    }

    @Override
    public void transferLeadershipTo(KvNode node) {
        await(raft.leadershipTransferToServer(ServerId.of(node.id()), ServerAddress.of(node.raftAddress())),
                "leadershipTransferToServer " + node.id());
    }

    @Override
    public List<String> configuration() {
        return await(raft.getConfiguration(), "getConfiguration").configuration().servers().stream()
                .map(s -> s.id().value() + "=" + s.address().value() + "/" + s.suffrage())
                .toList();
    }

    @Override
    public void kill() {
        killed = true;
        if (raft != null) {
            await(raft.shutdown(), "shutdown");
        } else {
            transport.close();
        }
    }

    @Override
    public boolean alive() {
        return !killed;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(CALL.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CallFailed(what + " on java " + id + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new CallFailed(what + " on java " + id + " did not complete in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "java " + id + "@" + raftAddress();
    }
}
