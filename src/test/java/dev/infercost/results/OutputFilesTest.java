package dev.infercost.results;

import dev.infercost.BadInputException;
import dev.infercost.IoFaultException;
import dev.infercost.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The shared writer every output goes through: never overwrite, folders created, I/O faults in words naming the user's path. */
class OutputFilesTest {
    private static final String NEVER = "export never overwrites (choose another --out)";

    @Test
    void createsMissingFoldersAndNeverOverwrites(@TempDir Path d) throws Exception {
        Path out = d.resolve("a/b/x.bin");
        OutputFiles.writeBytes(out, NEVER, new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(out));
        BadInputException e = assertThrows(BadInputException.class, () -> OutputFiles.writeBytes(out, NEVER, new byte[]{9}));
        assertEquals(out + ": exists already; " + NEVER, e.getMessage());
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(out), "earlier file untouched");
        assertEquals(1, count(out.getParent()), "no temp file left beside it");
    }

    @Test
    void aParentThatIsAFileIsNamedAsSuch(@TempDir Path d) throws Exception {
        Path file = Files.writeString(d.resolve("afile"), "x");
        Path out = file.resolve("sub/x.gguf");
        IoFaultException e = assertThrows(IoFaultException.class, () -> OutputFiles.writeBytes(out, NEVER, new byte[1]));
        assertEquals(out + ": cannot write (" + file + " is a file, not a folder)", e.getMessage());
        assertFalse(e.getMessage().contains("exists"), "not 'file exists': the target does not exist");
    }

    @Test
    void aFaultWhileWritingNamesTheUsersPathAndLeavesNothing(@TempDir Path d) {
        Path out = d.resolve("x.gguf");
        IoFaultException e = assertThrows(IoFaultException.class, () -> OutputFiles.write(out, NEVER, tmp -> {
            Files.write(tmp, new byte[100]);
            throw new FileSystemException(tmp.toString(), null, "No space left on device");
        }));
        assertEquals(out + ": cannot write (no space left on device); nothing was written under this name", e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), "the temp file is not what the user asked for");
        assertEquals(0, count(d), "temp file removed, nothing half-written");
    }

    @Test
    void aStagedFileIsReportedUnderItsFinalName(@TempDir Path d) {
        Path staged = d.resolve(".run.partial/cost.csv"), fin = d.resolve("run/cost.csv");
        IoFaultException e = assertThrows(IoFaultException.class, () -> OutputFiles.write(staged, fin, "results are never overwritten", tmp -> {
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().startsWith(fin + ": cannot write (no space left on device)"), e.getMessage());
    }

    @Test
    void reasonsAreWordsNotClassNames(@TempDir Path d) throws Exception {
        assertEquals("permission denied", OutputFiles.reason(new AccessDeniedException("/x/y")));
        assertEquals("read-only file system", OutputFiles.reason(new FileSystemException("/x", null, "Read-only file system")));
        Path file = Files.writeString(d.resolve("f"), "x");
        assertEquals(file + " is a file, not a folder",
                OutputFiles.reason(new FileSystemException(file.resolve("sub").toString(), null, "Not a directory")));
        assertEquals("the file system of " + d + " does not allow new files or folders there",
                OutputFiles.reason(new java.nio.file.NoSuchFileException(d.resolve("x").toString())));
    }

    /** /proc refuses new files with ENOENT: exit 3 (not 2), naming --out, no temp file name, for every export format. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void everyExportFormatRefusesAnUnwritablePathTheSameWay(@TempDir Path d) throws Exception {
        String model = dev.infercost.model.TestModels.file("stories260K.bin").toString();
        String tok = dev.infercost.model.TestModels.file("tok512.bin").toString();
        Path file = Files.writeString(d.resolve("afile"), "x");
        for (String fmt : new String[]{"llama2c", "gguf", "onnx"}) {
            for (String out : new String[]{"/proc/infercost-test." + fmt, file.resolve("sub." + fmt).toString()}) {
                String err = stderr(() -> assertEquals(3, Main.execute("export", "--model", model, "--tokenizer", tok, "--format", fmt, "--out", out), fmt + " " + out));
                assertTrue(err.startsWith("infercost: " + out + ": cannot write ("), err);
                assertFalse(err.contains(".tmp") || err.contains("Exception"), err);
            }
            Path nested = d.resolve("new/folders/x." + fmt);
            assertEquals(0, Main.execute("export", "--model", model, "--tokenizer", tok, "--format", fmt, "--out", nested.toString()), "missing folders are created for " + fmt);
            assertTrue(Files.size(nested) > 0);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) { return s.count(); } catch (IOException e) { throw new RuntimeException(e); }
    }

    private static String stderr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true));
        try { r.run(); } finally { System.setErr(old); }
        return b.toString();
    }
}
