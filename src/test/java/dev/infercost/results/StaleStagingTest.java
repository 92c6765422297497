package dev.infercost.results;

import dev.infercost.IoFaultException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 17: staging folders of killed runs are removed by the next run, live ones never; I/O faults are one exception type. */
class StaleStagingTest {
    @Test
    void deadOwnersStagingIsRemovedAndReportedLiveOneKept(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long deadPid = p.pid();
        Path dead = Files.createDirectories(tmp.resolve(".20260101-000000-killed.partial"));
        Files.writeString(dead.resolve(StaleStaging.OWNER), deadPid + " 2026-01-01T00:00:00Z\n");
        Files.writeString(dead.resolve("engine_bench.csv"), "half-written");
        Path live = Files.createDirectories(tmp.resolve(".20260101-000001-live.partial"));
        StaleStaging.claim(live); // this JVM: alive, same start time
        Path reused = Files.createDirectories(tmp.resolve(".20260101-000002-reused.partial"));
        Files.writeString(reused.resolve(StaleStaging.OWNER), ProcessHandle.current().pid() + " 1999-01-01T00:00:00Z\n"); // pid reused by us
        Path young = Files.createDirectories(tmp.resolve(".20260101-000003-old-version.partial")); // no owner file, recent: kept
        Path old = Files.createDirectories(tmp.resolve(".20260101-000004-old-version.partial"));
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(Instant.now().minus(StaleStaging.ORPHAN_AGE.multipliedBy(2))));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        var removed = StaleStaging.clean(tmp, new PrintStream(log, true, StandardCharsets.UTF_8));
        String said = log.toString(StandardCharsets.UTF_8);
        assertFalse(Files.exists(dead), "dead owner's staging folder removed");
        assertFalse(Files.exists(reused), "a pid now owned by another process counts as dead");
        assertFalse(Files.exists(old), "an owner-less folder unchanged for longer than ORPHAN_AGE is removed");
        assertTrue(Files.exists(live), "a live run's staging folder is never touched");
        assertTrue(Files.exists(young), "a recent owner-less folder is kept");
        assertEquals(3, removed.size());
        assertTrue(said.contains("removed stale staging folder " + dead) && said.contains("process " + deadPid + ", which is no longer running"), said);
    }

    @Test
    void createCleansUpAndCommitDropsTheOwnerFile(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path dead = Files.createDirectories(tmp.resolve(".20260101-000000-killed.partial"));
        Files.writeString(dead.resolve(StaleStaging.OWNER), p.pid() + "\n");
        RunDirectory d = RunDirectory.create(tmp, "next");
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(d.path().resolve(StaleStaging.OWNER)));
        d.writeString("a.txt", "x");
        Path fin = d.commit();
        assertFalse(Files.exists(fin.resolve(StaleStaging.OWNER)), "the owner file is not part of the results");
        assertEquals("x", Files.readString(fin.resolve("a.txt")));
    }

    @Test
    void unwritableTargetsAreIoFaultsAndLeaveNothingBehind(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThrows(IoFaultException.class, () -> RunDirectory.create(file.resolve("sub"), "x"));
        RunDirectory d = RunDirectory.create(tmp, "io");
        Files.writeString(d.path().resolve("blocker"), "x");
        IoFaultException e = assertThrows(IoFaultException.class, () -> d.writeString("blocker/inner.csv", "y"));
        assertTrue(e.getMessage().contains("blocker"), e.getMessage());
        try (var s = Files.list(d.path())) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
        d.abandon();
        assertFalse(Files.exists(d.path()));
    }
}
