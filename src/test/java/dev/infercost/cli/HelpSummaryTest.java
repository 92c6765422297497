package dev.infercost.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Top-level --help: every subcommand's summary is a whole sentence (ends with '.'), never cut mid-sentence. */
class HelpSummaryTest {
    @Test
    void everySubcommandSummaryIsAWholeSentence() {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(b, true));
            assertEquals(0, Main.execute("--help"));
        } finally {
            System.setOut(old);
        }
        String help = b.toString();
        String list = help.substring(help.indexOf("Commands:") + "Commands:".length());
        // join each command's wrapped lines: a new entry starts with two spaces and a name
        List<String> entries = new ArrayList<>();
        for (String line : list.split("\\R")) {
            if (line.isBlank()) continue;
            if (line.matches("  \\S.*")) entries.add(line.strip());
            else entries.set(entries.size() - 1, entries.getLast() + " " + line.strip());
        }
        assertTrue(entries.size() >= 12, help);
        for (String e : entries) {
            String name = e.split("\\s+")[0];
            if (name.equals("help")) continue;   // picocli's own help command
            assertTrue(e.endsWith("."), "summary of " + name + " ends mid-sentence: " + e);
        }
        String joined = String.join("\n", entries);
        assertTrue(joined.contains("MBU/MFU, energy per token."), "serve-bench's whole first sentence: " + joined);
        assertTrue(joined.contains("(Nvidia, AMD, Intel and custom silicon)."), "cost's whole first sentence: " + joined);
    }

    @Test
    void firstSentenceSkipsAbbreviations() {
        assertEquals("Reads files (e.g. a GGUF) fast.", Main.firstSentence("Reads files (e.g. a GGUF) fast. Then more."));
        assertEquals("No full stop", Main.firstSentence("No full stop"));
    }
}
