package dev.infercost.results;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Ownership of run staging folders ({@code <parent>/.<run-id>.partial}, see {@link RunDirectory}). Each holds a file
 * {@value #OWNER} with the owning process's id and start time ({@link ProcessHandle}); a staging folder whose owner
 * is no longer alive (same pid but another start time counts as dead: the pid was reused) was left by a run killed
 * without its shutdown hook (SIGKILL, OOM killer, power cut) and is deleted by the next {@link RunDirectory#create}
 * in the same parent, with one line on stderr. A staging folder without an owner file (written by an older version)
 * is removed only when nothing in it changed for {@link #ORPHAN_AGE}.
 */
public final class StaleStaging {
    private StaleStaging() {}

    /** Owner file name inside a staging folder (removed before the folder is committed). */
    public static final String OWNER = ".infercost-owner";
    /** Age after which a staging folder without owner file counts as stale. */
    public static final Duration ORPHAN_AGE = Duration.ofHours(6);

    /** Writes the owner file of a new staging folder. */
    static void claim(Path stage) throws IOException {
        ProcessHandle me = ProcessHandle.current();
        String start = me.info().startInstant().map(Instant::toString).orElse("");
        Files.writeString(stage.resolve(OWNER), me.pid() + " " + start + "\n", StandardCharsets.UTF_8);
    }

    /** Removes the owner file before commit. */
    static void release(Path stage) throws IOException {
        Files.deleteIfExists(stage.resolve(OWNER));
    }

    /**
     * Deletes stale staging folders under {@code parent} and reports each on {@code log}.
     *
     * @return the folders removed
     */
    public static List<Path> clean(Path parent, PrintStream log) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, ".*.partial")) {
            for (Path p : ds) {
                if (!Files.isDirectory(p)) continue;
                String why = staleReason(p);
                if (why == null) continue;
                if (deleteTree(p)) {
                    removed.add(p);
                    log.println("infercost: removed stale staging folder " + p + " (" + why + ")");
                } else {
                    log.println("infercost: could not remove stale staging folder " + p + " (" + why + "); remove it by hand");
                }
            }
        } catch (IOException e) {
            log.println("infercost: could not scan " + parent + " for stale staging folders (" + e + ")");
        }
        return removed;
    }

    /** Why {@code stage} is stale, or null when a live process owns it (or it is too young to judge). */
    static String staleReason(Path stage) throws IOException {
        Path owner = stage.resolve(OWNER);
        if (!Files.exists(owner)) {
            FileTime t = newest(stage);
            Duration age = Duration.between(t.toInstant(), Instant.now());
            return age.compareTo(ORPHAN_AGE) > 0 ? "no owner file, unchanged for " + age.toHours() + " h" : null;
        }
        String[] f = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ", 2);
        long pid;
        try {
            pid = Long.parseLong(f[0]);
        } catch (NumberFormatException e) {
            return "unreadable owner file";
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return "left by process " + pid + ", which is no longer running";
        String start = h.get().info().startInstant().map(Instant::toString).orElse("");
        if (f.length > 1 && !f[1].isEmpty() && !start.isEmpty() && !start.equals(f[1]))
            return "left by process " + pid + " started " + f[1] + "; that pid now belongs to another process";
        return null;
    }

    private static FileTime newest(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> {
                try { return Files.getLastModifiedTime(p); } catch (IOException e) { return FileTime.from(Instant.now()); }
            }).max(Comparator.naturalOrder()).orElse(FileTime.from(Instant.now()));
        }
    }

    private static boolean deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
