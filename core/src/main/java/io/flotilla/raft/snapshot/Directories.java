package io.flotilla.raft.snapshot;

import io.flotilla.raft.internal.FileTrees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/** File-system steps the file snapshot store needs and {@link Files} lacks. */
final class Directories {
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private Directories() {
    }

    /** Creates a directory and its parents as Go's {@code MkdirAll(path, 0755)} does. */
    static void createWithParents(Path dir) throws IOException {
        Files.createDirectories(dir, dirPermissions(dir));
    }

    /** Creates one directory (mode 0755), failing if it exists. */
    static void create(Path dir) throws IOException {
        Files.createDirectory(dir, dirPermissions(dir));
    }

    private static FileAttribute<?>[] dirPermissions(Path dir) {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x"))};
        }
        return new FileAttribute<?>[0];
    }

    /** Deletes a file or directory tree, like Go's {@code RemoveAll}: a missing path is not an error. */
    static void deleteRecursively(Path path) throws IOException {
        FileTrees.deleteRecursively(path);
    }

    /**
     * Makes a directory's entries (a rename into it) durable. Windows cannot open a directory for syncing and
     * does not need to, as Go also skips it there.
     */
    static void sync(Path dir) throws IOException {
        if (WINDOWS) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** An exception's text for a message: {@code AccessDeniedException: /x/y}, as Go's {@code %v} would say. */
    static String describe(IOException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
