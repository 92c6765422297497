package dev.infercost.results;

import dev.infercost.BadInputException;
import dev.infercost.IoFaultException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The one place output files are created: every writer (results folders via {@link RunDirectory}, {@code export}
 * llama2c/gguf/onnx, tokenizer files) goes through it, so all of them behave the same way.
 *
 * <ul>
 *   <li><b>Never overwrite.</b> An existing output is refused ({@link BadInputException}, exit status 2) before any
 *       work, and again at the final step: the file is written to a hidden temp file beside it and linked (or, where
 *       links are not supported, moved) into place without replacing anything, so a file created meanwhile wins.</li>
 *   <li><b>Missing parent folders are created</b> (like {@code mkdir -p}); a parent that is a regular file is refused
 *       with a message that says so.</li>
 *   <li><b>I/O faults</b> (disk full, permission denied, read-only or pseudo file system such as {@code /proc})
 *       throw {@link IoFaultException} (exit status 3) with one line that names the path the user gave, never the
 *       temp file, and gives the reason in words ({@link #reason}), not a Java exception class. The temp file is
 *       deleted, so nothing half-written is left.</li>
 * </ul>
 */
public final class OutputFiles {
    private OutputFiles() { }

    /** Writes the content of a staged file (an OutputStream or FileChannel on {@code tmp}). */
    @FunctionalInterface
    public interface Body {
        void write(Path tmp) throws IOException;
    }

    /**
     * Checks that {@code out} can be created: it does not exist, and no existing ancestor is a regular file.
     *
     * @param policy the never-overwrite sentence for the message, e.g. "export never overwrites (choose another --out)"
     * @throws BadInputException if {@code out} exists already (never overwritten)
     * @throws IoFaultException if a parent path is a regular file or otherwise not a folder
     */
    public static void checkNew(Path out, String policy) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS))
            throw new BadInputException(out + ": exists already; " + policy);
        notUnderAFile(out);
    }

    /** @throws IoFaultException if some existing ancestor of {@code out} is not a folder */
    static void notUnderAFile(Path out) {
        Path p = out.toAbsolutePath().getParent();
        Path f = p == null ? null : fileInTheWay(p);
        if (f != null) throw new IoFaultException(out + ": cannot write (" + f + " is a file, not a folder)", null);
    }

    /**
     * The first existing path among {@code dir} and its ancestors that is not a folder (a regular file where a folder
     * is needed), or null when there is none.
     */
    public static Path fileInTheWay(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) return null;
            if (Files.exists(p)) return p;
        }
        return null;
    }

    /**
     * Creates {@code out}'s missing parent folders.
     *
     * @throws IoFaultException naming {@code out} when a folder cannot be created
     */
    public static void createParents(Path out) {
        notUnderAFile(out);
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null) return;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IoFaultException(out + ": cannot create its folder " + dir + " (" + reason(e) + ")", e);
        }
    }

    /**
     * Writes {@code out} atomically: parents created, {@code body} writes a hidden temp file beside it
     * ({@code .<name>.<pid>.tmp}), which is then linked into place without replacing anything.
     *
     * @return {@code out}
     * @throws BadInputException if {@code out} exists (before or after the write); exit status 2
     * @throws IoFaultException on any I/O fault, naming {@code out} and the reason in words; exit status 3
     */
    public static Path write(Path out, String policy, Body body) { return write(out, out, policy, body); }

    /**
     * As {@link #write(Path, String, Body)}, naming {@code shown} instead of {@code out} in messages (a results folder
     * being staged under a hidden name reports the file under its final name, the one the user will look for).
     */
    public static Path write(Path out, Path shown, String policy, Body body) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) throw new BadInputException(shown + ": exists already; " + policy);
        createParents(out);
        Path tmp = out.resolveSibling("." + out.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                body.write(tmp);
                publish(tmp, out, shown, policy);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out;
        } catch (IOException e) {
            throw new IoFaultException(shown + ": cannot write (" + reason(e) + "); nothing was written under this name", e);
        } catch (RuntimeException | Error e) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            throw e;
        }
    }

    /** Writes {@code bytes} to {@code out} as {@link #write(Path, String, Body)} does. */
    public static Path writeBytes(Path out, String policy, byte[] bytes) { return writeBytes(out, out, policy, bytes); }

    /** As {@link #writeBytes(Path, String, byte[])}, naming {@code shown} in I/O fault messages. */
    public static Path writeBytes(Path out, Path shown, String policy, byte[] bytes) {
        return write(out, shown, policy, tmp -> Files.write(tmp, bytes, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** Links {@code tmp} to {@code out} (fails if {@code out} exists: no overwrite even under races), else moves it. */
    private static void publish(Path tmp, Path out, Path shown, String policy) throws IOException {
        try {
            Files.createLink(out, tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(shown + ": exists already; " + policy);
        } catch (UnsupportedOperationException | IOException linkFail) {
            // file systems without hard links: fall through to a move that does not replace
        }
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS))
            throw new BadInputException(shown + ": exists already; " + policy);
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);   // rename(2) could replace a file created this instant;
        } catch (AtomicMoveNotSupportedException e) {                // the window is the exists() check above
            Files.move(tmp, out);
        }
    }

    /**
     * The reason for an I/O fault in words, e.g. "permission denied", "no space left on device", "no such folder".
     * Uses the operating system's reason where Java has one (FileSystemException#getReason), else a phrase for the
     * exception kind; never a Java class name.
     */
    public static String reason(Throwable e) {
        Path file = e instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()) : null;
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NotDirectoryException || e instanceof FileSystemException f && "Not a directory".equals(f.getReason())) {
            Path blocker = file == null ? null : fileInTheWay(file);
            return blocker != null ? blocker + " is a file, not a folder" : "a parent path is a file, not a folder";
        }
        if (e instanceof NoSuchFileException) {
            Path dir = file == null ? null : file.toAbsolutePath().getParent();
            // e.g. /proc: the folder exists but its file system refuses new entries with ENOENT
            return dir != null && Files.isDirectory(dir) ? "the file system of " + dir + " does not allow new files or folders there"
                    : "no such file or folder";
        }
        if (e instanceof FileAlreadyExistsException) return "exists already";
        if (e instanceof FileSystemException f && f.getReason() != null) return lower(f.getReason());
        if (e instanceof ReadOnlyFileSystemException) return "read-only file system";
        String m = e.getMessage();
        if (m == null || m.isBlank()) return "I/O error";
        // java.io messages look like "No space left on device"
        return lower(m);
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}
