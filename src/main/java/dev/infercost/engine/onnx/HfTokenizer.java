package dev.infercost.engine.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import dev.infercost.model.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (DJL tokenizers, offline) behind infercost's {@link Tokenizer}, for
 * decoders users bring. BOS/EOS are found among the file's {@code added_tokens} by the usual names
 * (Llama 2 {@code <s>}/{@code </s>}, Llama 3 {@code <|begin_of_text|>}/{@code <|end_of_text|>}, GPT-style
 * {@code <|endoftext|>}); -1 when absent. {@link #decodePiece} is the text added by {@code token} after {@code prev}.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
    private final HuggingFaceTokenizer tok;
    private final int vocab, bos, eos;

    public HfTokenizer(Path tokenizerJson, int vocabSize) {
        this.tok = Djl.fromFile(tokenizerJson, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")); // DJL truncates at 512 by default
        this.vocab = vocabSize;
        int b = -1, e = -1;
        try {
            JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
            for (JsonNode t : root.path("added_tokens")) {
                String c = t.path("content").asText();
                int id = t.path("id").asInt(-1);
                if (b < 0 && List.of("<s>", "<|begin_of_text|>", "<|endoftext|>").contains(c)) b = id;
                if (e < 0 && List.of("</s>", "<|end_of_text|>", "<|endoftext|>").contains(c)) e = id;
            }
        } catch (IOException ex) {
            tok.close();
            throw new BadInputException(tokenizerJson + ": cannot read tokenizer.json: " + ex.getMessage(), ex);
        }
        this.bos = b;
        this.eos = e;
    }

    @Override public int vocabSize() { return vocab; }
    @Override public int bos() { return bos; }
    @Override public int eos() { return eos; }

    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        long[] ids = tok.encode(text, false, false).getIds();
        int extra = (addBos && bos >= 0 ? 1 : 0) + (addEos && eos >= 0 ? 1 : 0);
        int[] out = new int[ids.length + extra];
        int o = 0;
        if (addBos && bos >= 0) out[o++] = bos;
        for (long id : ids) out[o++] = (int) id;
        if (addEos && eos >= 0) out[o] = eos;
        return out;
    }

    @Override
    public byte[] decodePiece(int prevToken, int token) {
        String both = tok.decode(new long[]{prevToken, token}, true);
        String prev = tok.decode(new long[]{prevToken}, true);
        String piece = both.startsWith(prev) ? both.substring(prev.length()) : tok.decode(new long[]{token}, true);
        return piece.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int token) { return tok.decode(new long[]{token}, false); }

    @Override
    public void close() { tok.close(); }
}
