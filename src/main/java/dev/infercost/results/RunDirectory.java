package dev.infercost.results;

import dev.infercost.BadInputException;
import dev.infercost.IoFaultException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A results folder {@code <parent>/<run-id>/}. New runs are staged in a hidden {@code .<run-id>.partial}
 * folder and renamed into place by {@link #commit()}, so a failed run leaves nothing half-written;
 * {@link #abandon()} deletes the staging folder. Files are written atomically (temp file + rename)
 * and an existing file is never overwritten. An existing folder can be opened to add new files
 * (e.g. {@code cost} on a measured run).
 *
 * <p>I/O faults (disk full, unwritable path, permission denied) throw {@link IoFaultException} (exit status 3)
 * after removing the temp file, so no result file is ever half-written. A staging folder holds an owner file
 * ({@link StaleStaging}) naming its process; {@link #create} removes, and reports on stderr, staging folders
 * whose owner is no longer alive (a run killed with SIGKILL or a power cut leaves them).
 */
public final class RunDirectory {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private final Path finalDir;
    private Path dir;
    private final String runId;
    private boolean staged;
    /** Deletes the staging folder if the JVM is stopped (Ctrl-C, SIGTERM) before commit or abandon. */
    private Thread cleanup;

    private RunDirectory(Path finalDir, Path dir, String runId, boolean staged) {
        this.finalDir = finalDir; this.dir = dir; this.runId = runId; this.staged = staged;
        if (staged) {
            cleanup = new Thread(this::deleteStaging, "infercost-abandon-" + runId);
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    private void dropCleanup() {
        if (cleanup == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it checks `staged` itself
        }
        cleanup = null;
    }

    /**
     * Starts a new run folder under {@code parent} named {@code <UTC yyyyMMdd-HHmmss>-<label>}, with a
     * numeric suffix if that name is taken. Nothing appears under the final name until {@link #commit()}.
     */
    public static RunDirectory create(Path parent, String label) {
        Path blocker = OutputFiles.fileInTheWay(parent);
        if (blocker != null)
            throw new IoFaultException(parent + ": cannot create results folder (" + blocker + " is a file, not a folder)", null);
        try {
            Files.createDirectories(parent);
            StaleStaging.clean(parent, System.err);
            String base = ZonedDateTime.now(ZoneOffset.UTC).format(ID) + "-" + sanitize(label);
            for (int i = 1; i < 1000; i++) {
                String id = i == 1 ? base : base + "-" + i;
                Path fin = parent.resolve(id);
                Path stage = parent.resolve("." + id + ".partial");
                if (Files.exists(fin)) continue;
                try {
                    Files.createDirectory(stage);
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                StaleStaging.claim(stage);
                return new RunDirectory(fin, stage, id, true);
            }
            throw new IllegalStateException("could not find a free run id under " + parent);
        } catch (IOException e) {
            throw new IoFaultException(parent + ": cannot create results folder (" + OutputFiles.reason(e) + ")", e);
        }
    }

    /** Opens an existing, committed run folder to add files to. */
    public static RunDirectory open(Path existing) {
        if (!Files.isDirectory(existing)) throw new BadInputException(existing + ": not a results folder (" + (Files.exists(existing) ? "a file, not a folder" : "no such directory") + ")");
        return new RunDirectory(existing, existing, existing.getFileName().toString(), false);
    }

    static String sanitize(String s) {
        String t = s.replaceAll("[^A-Za-z0-9._-]+", "-");
        return t.isEmpty() ? "run" : t;
    }

    public String runId() { return runId; }

    /** Where files are being written now (the staging folder until committed). */
    public Path path() { return dir; }

    /** The folder's final location. */
    public Path finalPath() { return finalDir; }

    /** True if {@code name} already exists in this folder. */
    public boolean has(String name) { return Files.exists(dir.resolve(name)); }

    /** Writes a CSV table atomically. @throws BadInputException if the file exists already. */
    public Path writeCsv(String name, CsvTable table) { return writeString(name, table.toCsv()); }

    /** Writes text atomically (UTF-8). @throws BadInputException if the file exists already. */
    public Path writeString(String name, String text) { return writeBytes(name, text.getBytes(StandardCharsets.UTF_8)); }

    /** Writes bytes atomically. @throws BadInputException if the file exists already (never overwrites). */
    public Path writeBytes(String name, byte[] bytes) {
        // the one atomic, never-overwriting writer (temp file + link); I/O faults name the file, never the temp file
        return OutputFiles.writeBytes(dir.resolve(name), finalDir.resolve(name), "results are never overwritten", bytes);
    }

    /** Moves the staged folder to its final name. Idempotent for opened (already final) folders. */
    public synchronized Path commit() {
        if (!staged) return dir;
        try {
            StaleStaging.release(dir);
            Files.move(dir, finalDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IoFaultException(finalDir + ": cannot commit the run folder (" + OutputFiles.reason(e) + ")", e);
        }
        dir = finalDir;
        staged = false;
        dropCleanup();
        return dir;
    }

    /** Deletes the staging folder of a run that failed; does nothing to a committed or opened folder. */
    public void abandon() {
        dropCleanup();
        deleteStaging();
    }

    private synchronized void deleteStaging() {
        if (!staged) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { }
            });
        } catch (IOException ignored) {
        }
        staged = false;
    }
}
