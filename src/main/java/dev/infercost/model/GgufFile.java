package dev.infercost.model;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped GGUF v3 file (llama.cpp; spec: github.com/ggml-org/ggml docs/gguf.md): magic "GGUF",
 * uint32 version, uint64 tensor_count, uint64 metadata_kv_count, the key/value pairs, tensor infos
 * (name, n_dims, dims in ggml order ne0..ne[n-1] with ne0 the contiguous (input) dimension, ggml_type,
 * offset), then tensor data starting at the next multiple of {@code general.alignment} (default 32).
 * Values: integers as Long, floats as Double, bools as Boolean, strings as String, arrays as Object[].
 */
public final class GgufFile {
    /** GGUF value types (gguf.md {@code gguf_metadata_value_type}). */
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    /** ggml_type ids (ggml.h) of some tensor types ({@link TensorType#ggmlId} has all read here). */
    public static final int GGML_F32 = 0, GGML_F16 = 1, GGML_Q8_0 = 8;

    /** One tensor's info: dims in ggml order (dims[0] = ne0 = columns). */
    public record TensorInfo(String name, long[] dims, int ggmlType, long offset) {
        public long elements() { long n = 1; for (long d : dims) n *= d; return n; }
    }

    private final Path path;
    private final int version;
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    private final MemorySegment seg;
    private final long dataStart;
    private long pos;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Maps and parses {@code file}.
     *
     * @throws BadInputException missing file, bad magic, version other than 2/3, truncated header or data,
     *         misaligned tensor offsets
     */
    public GgufFile(Path file) {
        this.path = file;
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": model file not found");
        GgufValidator.check(file); // structure, types and ranges first (issue 17)
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            int magic = seg.get(I32, 0);
            if (magic != 0x46554747)
                throw new BadInputException(file + ": not a GGUF file (magic " + String.format("0x%08x", magic) + ", expected \"GGUF\")");
            version = seg.get(I32, 4);
            if (version != 3 && version != 2)
                throw new BadInputException(file + ": GGUF version " + version + " is not supported (expected 3)");
            pos = 8;
            long nTensors = u64("tensor_count");
            long nKv = u64("metadata_kv_count");
            if (nTensors > 1_000_000 || nKv > 1_000_000)
                throw new BadInputException(file + ": implausible GGUF header (tensor_count=" + nTensors + ", kv_count=" + nKv + ")");
            for (long i = 0; i < nKv; i++) {
                String key = str();
                int type = seg.get(I32, pos);
                pos += 4;
                metadata.put(key, value(type, key));
            }
            for (long i = 0; i < nTensors; i++) {
                String name = str();
                int nd = seg.get(I32, pos);
                pos += 4;
                if (nd < 1 || nd > 4) throw new BadInputException(file + ": tensor " + name + " has n_dims=" + nd + " (expected 1..4)");
                long[] dims = new long[nd];
                for (int d = 0; d < nd; d++) dims[d] = u64("dims of " + name);
                int type = seg.get(I32, pos);
                pos += 4;
                long off = u64("offset of " + name);
                tensors.put(name, new TensorInfo(name, dims, type, off));
            }
        } catch (IndexOutOfBoundsException e) {
            throw new BadInputException(file + ": GGUF header is truncated (file has " + seg.byteSize() + " bytes)");
        }
        long align = 32;
        Object a = metadata.get("general.alignment");
        if (a instanceof Long l) {
            if (l <= 0 || (l & (l - 1)) != 0) throw new BadInputException(file + ": general.alignment=" + l + " is not a power of two");
            align = l;
        }
        dataStart = (pos + align - 1) / align * align;
        for (TensorInfo t : tensors.values()) {
            if (t.offset % align != 0)
                throw new BadInputException(file + ": tensor " + t.name + " offset " + t.offset + " is not a multiple of the alignment " + align);
            long bytes = bytesOf(t);
            if (bytes >= 0 && dataStart + t.offset + bytes > seg.byteSize())
                throw new BadInputException(file + ": tensor " + t.name + " needs bytes up to " + (dataStart + t.offset + bytes)
                        + " but the file has " + seg.byteSize() + " (truncated?)");
        }
    }

    private long u64(String what) {
        long v = seg.get(I64, pos);
        pos += 8;
        if (v < 0) throw new BadInputException(path + ": negative " + what);
        return v;
    }

    private String str() {
        long len = u64("string length");
        if (len > seg.byteSize() - pos) throw new BadInputException(path + ": GGUF string length " + len + " runs past the end of the file");
        byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }

    private Object value(int type, String key) {
        Object v;
        switch (type) {
            case UINT8 -> { v = (long) (seg.get(ValueLayout.JAVA_BYTE, pos) & 0xFF); pos += 1; }
            case INT8 -> { v = (long) seg.get(ValueLayout.JAVA_BYTE, pos); pos += 1; }
            case UINT16 -> { v = (long) (seg.get(I16, pos) & 0xFFFF); pos += 2; }
            case INT16 -> { v = (long) seg.get(I16, pos); pos += 2; }
            case UINT32 -> { v = seg.get(I32, pos) & 0xFFFFFFFFL; pos += 4; }
            case INT32 -> { v = (long) seg.get(I32, pos); pos += 4; }
            case FLOAT32 -> { v = (double) seg.get(F32, pos); pos += 4; }
            case BOOL -> { v = seg.get(ValueLayout.JAVA_BYTE, pos) != 0; pos += 1; }
            case STRING -> v = str();
            case UINT64, INT64 -> { v = seg.get(I64, pos); pos += 8; }
            case FLOAT64 -> { v = seg.get(F64, pos); pos += 8; }
            case ARRAY -> {
                int et = seg.get(I32, pos);
                pos += 4;
                long n = u64("array length of " + key);
                if (n > seg.byteSize() - pos) throw new BadInputException(path + ": array " + key + " has " + n + " entries, more than the file can hold");
                Object[] arr = new Object[(int) n];
                for (int i = 0; i < n; i++) arr[i] = value(et, key);
                v = arr;
            }
            default -> throw new BadInputException(path + ": metadata " + key + " has unknown GGUF value type " + type);
        }
        return v;
    }

    /** Bytes of tensor data for {@code t}, or -1 if its type is not one of {@link TensorType}'s. */
    static long bytesOf(TensorInfo t) {
        TensorType tt = typeOf(t.ggmlType);
        return tt == null ? -1 : tt.bytesFor(t.elements());
    }

    static TensorType typeOf(int ggmlType) {
        return TensorType.ofGgml(ggmlType);
    }

    /**
     * Every tensor type in this file that is not read here, as {@code NAME (id)} with the tensors holding it, e.g.
     * {@code IQ2_XS (17): blk.0.attn_q.weight, blk.0.attn_k.weight (+40 more)}; empty when all are readable.
     */
    public String unsupportedTypes() {
        Map<Integer, java.util.List<String>> bad = new java.util.TreeMap<>();
        for (TensorInfo t : tensors.values())
            if (typeOf(t.ggmlType) == null) bad.computeIfAbsent(t.ggmlType, k -> new java.util.ArrayList<>()).add(t.name);
        StringBuilder sb = new StringBuilder();
        for (var e : bad.entrySet()) {
            if (!sb.isEmpty()) sb.append("; ");
            java.util.List<String> names = e.getValue();
            sb.append(TensorType.ggmlName(e.getKey())).append(" (").append(e.getKey()).append("): ")
                    .append(String.join(", ", names.subList(0, Math.min(3, names.size()))));
            if (names.size() > 3) sb.append(" (+").append(names.size() - 3).append(" more)");
        }
        return sb.toString();
    }

    /** The readable types, for error messages: {@code F32 (0), F16 (1), ...}. */
    static String supportedTypes() {
        StringBuilder sb = new StringBuilder();
        for (TensorType t : TensorType.values()) sb.append(sb.isEmpty() ? "" : ", ").append(t.name()).append(" (").append(t.ggmlId).append(")");
        return sb.toString();
    }

    public Path path() { return path; }
    public int version() { return version; }
    public Map<String, Object> metadata() { return metadata; }
    public Map<String, TensorInfo> tensors() { return tensors; }

    /**
     * Tensor {@code name} as a {@code [rows, cols]} matrix: cols = ne0, rows = product of the other dims.
     *
     * @throws BadInputException if missing, or of an unsupported ggml type
     */
    public Tensor tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new BadInputException(path + ": tensor " + name + " is missing");
        TensorType tt = typeOf(t.ggmlType);
        if (tt == null)
            throw new BadInputException(path + ": tensor " + name + " has ggml type " + TensorType.ggmlName(t.ggmlType) + " (" + t.ggmlType
                    + "); supported: " + supportedTypes());
        long cols = t.dims[0];
        long rows = t.elements() / cols;
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) throw new BadInputException(path + ": tensor " + name + " is too large");
        try {
            return new MappedTensor(tt, (int) rows, (int) cols, seg.asSlice(dataStart + t.offset, tt.bytesFor(t.elements())));
        } catch (BadInputException e) {
            throw new BadInputException(path + ": tensor " + name + ": " + e.getMessage());
        }
    }

    /** Integer metadata value, or {@code def} when absent. */
    public long getLong(String key, long def) {
        Object v = metadata.get(key);
        if (v == null) return def;
        if (v instanceof Long l) return l;
        throw new BadInputException(path + ": metadata " + key + " should be an integer, is " + v);
    }

    /** Required integer metadata value. */
    public long requireLong(String key) {
        if (!metadata.containsKey(key)) throw new BadInputException(path + ": metadata key " + key + " is missing");
        return getLong(key, 0);
    }

    public double getDouble(String key, double def) {
        Object v = metadata.get(key);
        if (v == null) return def;
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        throw new BadInputException(path + ": metadata " + key + " should be a number, is " + v);
    }

    public String getString(String key, String def) {
        Object v = metadata.get(key);
        return v instanceof String s ? s : def;
    }
}
