package dev.infercost.results;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class RunDirectoryTest {
    @Test
    void stagesThenCommitsAndNeverOverwrites(@TempDir Path parent) throws Exception {
        RunDirectory a = RunDirectory.create(parent, "quick run");
        assertTrue(a.path().getFileName().toString().endsWith(".partial"));
        a.writeString("x.txt", "one");
        assertThrows(BadInputException.class, () -> a.writeString("x.txt", "two"));
        Path fin = a.commit();
        assertEquals("one", Files.readString(fin.resolve("x.txt")));
        assertTrue(fin.getFileName().toString().endsWith("-quick-run"));

        RunDirectory b = RunDirectory.create(parent, "quick run");
        Path fin2 = b.commit();
        assertNotEquals(fin, fin2, "a second run in the same second gets its own folder");
        assertEquals("one", Files.readString(fin.resolve("x.txt")));
    }

    @Test
    void abandonLeavesNothing(@TempDir Path parent) throws Exception {
        RunDirectory a = RunDirectory.create(parent, "bad");
        a.writeString("half.csv", "h\n");
        a.abandon();
        try (Stream<Path> s = Files.list(parent)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void openRefusesMissingFolder(@TempDir Path parent) {
        BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.open(parent.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"));
    }
}
