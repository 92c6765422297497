package dev.infercost.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the tokenizer golden tests: the hard strings, id-list parsing, and running llama-tokenize. */
final class TokenizerGoldens {
    private TokenizerGoldens() {}

    /** The fixed list of hard strings (src/test/resources/tokenizer/hard-strings.json). */
    static List<String> hardStrings() throws IOException {
        try (InputStream in = TokenizerGoldens.class.getResourceAsStream("/tokenizer/hard-strings.json")) {
            List<String> out = new ArrayList<>();
            for (JsonNode n : new ObjectMapper().readTree(in)) out.add(n.asText());
            return out;
        }
    }

    /** The hard strings joined by blank lines, eight times over (the last golden row; several thousand tokens). */
    static String longText() throws IOException {
        return (String.join("\n\n", hardStrings()) + "\n").repeat(8);
    }

    /** "[1, 2, 3]" (llama-tokenize --ids) or "1 2 3" (.out files) as ids. */
    static int[] ids(String line) {
        String s = line.trim();
        if (s.startsWith("[")) s = s.substring(1, s.length() - 1);
        s = s.replace(",", " ").trim();
        if (s.isEmpty()) return new int[0];
        return Arrays.stream(s.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * Runs {@code llama-tokenize -m vocab -f file --ids --no-escape --log-disable} on {@code text} (written verbatim
     * to a temporary file; {@code --no-escape} keeps backslashes as they are) and returns its ids.
     */
    static int[] llamaTokenize(Path binary, Path vocab, String text) throws IOException, InterruptedException {
        Path f = Files.createTempFile("infercost-tok", ".txt");
        try {
            Files.writeString(f, text, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(binary.toString(), "-m", vocab.toString(), "-f", f.toString(), "--ids", "--no-escape", "--log-disable")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IOException("llama-tokenize timed out"); }
            if (p.exitValue() != 0) throw new IOException("llama-tokenize exited " + p.exitValue() + ": " + out);
            String last = out.strip();
            int nl = last.lastIndexOf('\n');
            return ids(nl < 0 ? last : last.substring(nl + 1));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
