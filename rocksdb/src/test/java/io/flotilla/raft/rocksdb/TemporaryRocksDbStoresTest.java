package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemporaryRocksDbStoresTest {
    private static final LogEntry ENTRY = new LogEntry(1, 1, LogType.COMMAND, new byte[] {1});

    @Test
    void each_node_gets_its_own_store_which_survives_a_reopen_and_close_removes_everything() throws Exception {
        Path root;
        try (TemporaryRocksDbStores stores = TemporaryRocksDbStores.create()) {
            root = stores.root();
            RocksDbStore node1 = stores.open("node1");
            RocksDbStore node2 = stores.open("node2");
            assertThat(stores.open("node1")).isSameAs(node1);
            assertThat(node1.directory()).isEqualTo(root.resolve("node1"));
            node1.storeLog(ENTRY);
            node1.setUint64(new byte[] {1}, 5);

            RocksDbStore restarted = stores.reopen("node1");
            assertThatThrownBy(node1::lastIndex).isInstanceOf(IOException.class);
            assertThat(restarted.getLog(1)).contains(ENTRY);
            assertThat(restarted.getUint64(new byte[] {1})).isEqualTo(5);
            assertThat(node2.lastIndex()).isZero();
        }
        assertThat(root).doesNotExist();
    }

    @Test
    void node_names_must_be_plain_file_names() throws Exception {
        try (TemporaryRocksDbStores stores = TemporaryRocksDbStores.create()) {
            for (String bad : new String[] {"", "..", "a/b", "../escape"}) {
                assertThatThrownBy(() -> stores.open(bad)).as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void nothing_opens_after_close() throws Exception {
        TemporaryRocksDbStores stores = TemporaryRocksDbStores.create();
        stores.close();
        stores.close();
        assertThatThrownBy(() -> stores.open("node1")).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void config_sizes_are_validated() {
        assertThatThrownBy(() -> RocksDbStoreConfig.defaults().withMemtableBytes(1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memtableBytes");
        assertThatThrownBy(() -> RocksDbStoreConfig.defaults().withBlockCacheBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockCacheBytes");
    }
}
