package dev.infercost.model;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Structural validation of a GGUF file (layout: github.com/ggml-org/ggml docs/gguf.md) before {@link GgufFile}
 * parses it, in one bounds-checked pass with overflow-safe arithmetic: header counts plausible for the file size;
 * every key, string and array inside the file; value and array-element types known, arrays not nested; keys and
 * tensor names unique; tensor dims 1..4, each >= 1, element count without overflow; tensor data aligned and inside
 * the data section; {@code general.architecture} a string; and, for the architectures llama, qwen2, qwen3 and phi3,
 * the {@code <arch>.*} integers (including attention.key_length/value_length) in 1..2^31-1, RoPE
 * base and RMSNorm epsilon finite and positive, {@code tokenizer.ggml.tokens} an array of strings,
 * {@code tokenizer.ggml.scores} an array of finite numbers of the same length, {@code token_type} integers, and
 * the special token ids (bos, eos, unknown, padding, eot, eom) inside the vocabulary; {@code tokenizer.ggml.merges}
 * an array of strings; for {@code tokenizer.ggml.model = gpt2}, tokens and merges valid UTF-8. Each failure names the file, the key or tensor, the value and what
 * was expected.
 */
public final class GgufValidator {
    private GgufValidator() {}

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int ARRAY = 9, STRING = 8;
    /** Bytes of each scalar GGUF value type (index = type id; STRING and ARRAY are variable). */
    private static final int[] SIZE = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};
    private static final String[] TYPE_NAME = {"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"};

    /** What one metadata key holds (scalars: their value as long or double). */
    record Entry(int type, int elementType, long count, long asLong, double asDouble, boolean finiteElements, String firstBad) {}

    /** Maps {@code file} and validates it. @throws BadInputException as described in the class comment */
    public static void check(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            check(file.toString(), ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Validates GGUF bytes; {@code where} names them in messages. */
    public static void check(String where, MemorySegment seg) {
        new Scan(where, seg).run();
    }

    private static final class Scan {
        final String where;
        final MemorySegment seg;
        final long size;
        long pos;
        final Map<String, Entry> kv = new HashMap<>();

        Scan(String where, MemorySegment seg) { this.where = where; this.seg = seg; this.size = seg.byteSize(); }

        BadInputException bad(String msg) { return new BadInputException(where + ": " + msg); }

        void need(long n, String what) {
            if (n < 0 || n > size - pos) throw bad(what + " at byte " + pos + " needs " + Long.toUnsignedString(n) + " bytes but the file has " + (size - pos) + " left (truncated or corrupt)");
        }

        int i32(String what) { need(4, what); int v = seg.get(I32, pos); pos += 4; return v; }

        long u64(String what) { need(8, what); long v = seg.get(I64, pos); pos += 8; return v; }

        String str(String what) {
            long len = u64(what + " length");
            if (len < 0 || len > 1 << 20) throw bad(what + " has length " + Long.toUnsignedString(len) + "; expected 0..1048576 bytes");
            need(len, what);
            byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        void run() {
            if (size < 24) throw bad(size + " bytes is too short for a GGUF header (24 bytes)");
            if (seg.get(I32, 0) != 0x46554747) throw bad("not a GGUF file (magic " + String.format("0x%08x", seg.get(I32, 0)) + ", expected \"GGUF\")");
            int version = seg.get(I32, 4);
            if (version != 2 && version != 3) throw bad("GGUF version " + version + " is not supported (expected 3)");
            pos = 8;
            long nTensors = u64("tensor_count"), nKv = u64("metadata_kv_count");
            // each key/value takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8 + 4 + 8 + 4 + 8
            if (nTensors < 0 || nTensors > size / 32 || nTensors > 1_000_000) throw bad("tensor_count " + Long.toUnsignedString(nTensors) + " cannot fit in a file of " + size + " bytes");
            if (nKv < 0 || nKv > size / 13) throw bad("metadata_kv_count " + Long.toUnsignedString(nKv) + " cannot fit in a file of " + size + " bytes");
            for (long i = 0; i < nKv; i++) {
                String key = str("metadata key " + i);
                if (kv.containsKey(key)) throw bad("metadata key " + key + " appears twice");
                int type = i32("type of " + key);
                kv.put(key, value(key, type));
            }
            long align = 32;
            Entry a = kv.get("general.alignment");
            if (a != null) {
                if (a.type() == ARRAY || a.type() == STRING || a.type() == 6 || a.type() == 12 || a.type() == 7)
                    throw bad("general.alignment has type " + typeName(a.type()) + "; expected an unsigned integer");
                align = a.asLong();
                if (align <= 0 || align > 1 << 20 || (align & (align - 1)) != 0) throw bad("general.alignment=" + align + " is not a power of two in 1..2^20");
            }
            Set<String> names = new HashSet<>();
            long[][] spans = new long[(int) nTensors][];
            String[] tnames = new String[(int) nTensors];
            for (int t = 0; t < nTensors; t++) {
                String name = str("tensor name " + t);
                if (!names.add(name)) throw bad("tensor " + name + " appears twice (duplicate tensor info)");
                int nd = i32("n_dims of " + name);
                if (nd < 1 || nd > 4) throw bad("tensor " + name + " has n_dims=" + nd + " (expected 1..4)");
                long elements = 1;
                long ne0 = 0;
                for (int d = 0; d < nd; d++) {
                    long dim = u64("dims of " + name);
                    if (dim < 1 || dim > Integer.MAX_VALUE) throw bad("tensor " + name + " dim " + d + " is " + Long.toUnsignedString(dim) + "; expected 1..2147483647");
                    if (d == 0) ne0 = dim;
                    try {
                        elements = Math.multiplyExact(elements, dim);
                    } catch (ArithmeticException e) {
                        throw bad("tensor " + name + " has more elements than 2^63 (dims overflow)");
                    }
                }
                int type = i32("ggml type of " + name);
                long off = u64("offset of " + name);
                if (off < 0) throw bad("tensor " + name + " offset " + Long.toUnsignedString(off) + " is beyond 2^63");
                if (off % align != 0) throw bad("tensor " + name + " offset " + off + " is not a multiple of the alignment " + align);
                TensorType tt = GgufFile.typeOf(type);
                if (tt != null) {
                    if (elements % tt.blockSize != 0 || ne0 % tt.blockSize != 0)
                        throw bad("tensor " + name + " of type " + tt + " has " + ne0 + " columns, not a multiple of its block size " + tt.blockSize);
                    long bytes = tt.bytesFor(elements);
                    if (bytes < 0 || off > Long.MAX_VALUE - bytes) throw bad("tensor " + name + " offset + size overflows");
                    spans[t] = new long[]{off, off + bytes};
                }
                tnames[t] = name;
            }
            long dataStart = (pos + align - 1) / align * align;
            long dataSize = size - dataStart;
            for (int t = 0; t < nTensors; t++) {
                if (spans[t] == null) continue;
                if (spans[t][1] > dataSize)
                    throw bad("tensor " + tnames[t] + " data [" + spans[t][0] + ", " + spans[t][1] + ") lies outside the data section of " + Math.max(0, dataSize) + " bytes (truncated?)");
            }
            Entry arch = kv.get("general.architecture");
            if (arch != null && arch.type() != STRING)
                throw bad("metadata general.architecture is " + describe(arch) + "; expected a string (llama, qwen2, qwen3, phi3)");
            String archName = stringValue("general.architecture");
            if (archName != null && java.util.List.of("llama", "qwen2", "qwen3", "phi3").contains(archName)) llama(archName);
            if ("gpt2".equals(stringValue("tokenizer.ggml.model"))) {
                strictUtf8("tokenizer.ggml.tokens");
                strictUtf8("tokenizer.ggml.merges");
            }
        }

        /** Offset of the first element of each array of strings (for {@link #strictUtf8}). */
        final Map<String, Long> stringArrays = new HashMap<>();

        /** Byte-level BPE pieces are text: invalid UTF-8 would be silently replaced by U+FFFD and change the vocabulary. */
        void strictUtf8(String key) {
            Long at = stringArrays.get(key);
            Entry e = kv.get(key);
            if (at == null || e == null) return;
            java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT).onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
            long p = at;
            for (long i = 0; i < e.count(); i++) {
                long len = seg.get(I64, p);
                p += 8;
                try {
                    dec.reset().decode(seg.asSlice(p, len).asByteBuffer());
                } catch (java.nio.charset.CharacterCodingException x) {
                    throw bad("metadata " + key + "[" + i + "] is not valid UTF-8 (" + x.getMessage() + "); byte-level BPE pieces must be UTF-8 text");
                }
                p += len;
            }
        }

        String stringValue(String key) {
            Entry e = kv.get(key);
            return e != null && e.type() == STRING ? strings.get(key) : null;
        }

        final Map<String, String> strings = new HashMap<>();

        Entry value(String key, int type) {
            if (type < 0 || type >= SIZE.length) throw bad("metadata " + key + " has unknown GGUF value type " + type + " (expected 0..12)");
            if (type == STRING) {
                String s = str("string value of " + key);
                strings.put(key, s);
                return new Entry(STRING, -1, 1, 0, 0, true, null);
            }
            if (type == ARRAY) {
                int et = i32("element type of " + key);
                if (et == ARRAY) throw bad("metadata " + key + " is an array of arrays; nested arrays are not supported");
                if (et < 0 || et >= SIZE.length) throw bad("metadata " + key + " is an array of unknown GGUF value type " + et);
                long n = u64("array length of " + key);
                long min = et == STRING ? 8 : SIZE[et];
                if (n < 0 || n > (size - pos) / min) throw bad("metadata " + key + " claims " + Long.toUnsignedString(n) + " entries, more than the rest of the file can hold");
                boolean finite = true;
                String firstBad = null;
                if (et == STRING) stringArrays.put(key, pos);
                for (long i = 0; i < n; i++) {
                    if (et == STRING) {
                        long len = u64("string " + i + " of " + key);
                        if (len < 0 || len > 1 << 20) throw bad("metadata " + key + "[" + i + "] has length " + Long.toUnsignedString(len) + "; expected 0..1048576 bytes");
                        need(len, "string " + i + " of " + key);
                        pos += len;
                        continue;
                    }
                    need(SIZE[et], key + "[" + i + "]");
                    if (et == 6 || et == 12) {
                        double v = et == 6 ? seg.get(F32, pos) : seg.get(F64, pos);
                        if (!Double.isFinite(v) && finite) { finite = false; firstBad = key + "[" + i + "] = " + v; }
                    }
                    pos += SIZE[et];
                }
                return new Entry(ARRAY, et, n, 0, 0, finite, firstBad);
            }
            need(SIZE[type], "value of " + key);
            long l = 0;
            double d = 0;
            switch (type) {
                case 0 -> l = seg.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
                case 1 -> l = seg.get(ValueLayout.JAVA_BYTE, pos);
                case 2 -> l = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos) & 0xFFFF;
                case 3 -> l = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
                case 4 -> l = seg.get(I32, pos) & 0xFFFFFFFFL;
                case 5 -> l = seg.get(I32, pos);
                case 6 -> d = seg.get(F32, pos);
                case 7 -> l = seg.get(ValueLayout.JAVA_BYTE, pos);
                case 10, 11 -> l = seg.get(I64, pos);
                case 12 -> d = seg.get(F64, pos);
                default -> { }
            }
            pos += SIZE[type];
            if (type != 6 && type != 12) d = l;
            return new Entry(type, -1, 1, l, d, Double.isFinite(d), null);
        }

        static String typeName(int t) { return t >= 0 && t < TYPE_NAME.length ? TYPE_NAME[t] : Integer.toString(t); }

        static boolean isInt(int t) { return t <= 5 || t == 10 || t == 11; }

        /** Checks of the {@code <arch>.*} integers and the tokenizer arrays for the Llama-family architectures. */
        void llama(String arch) {
            for (String s : new String[]{"context_length", "embedding_length", "feed_forward_length", "block_count",
                    "attention.head_count", "attention.head_count_kv", "rope.dimension_count", "attention.key_length", "attention.value_length"}) {
                String k = arch + "." + s;
                Entry e = kv.get(k);
                if (e == null) continue; // required keys are reported missing by the loader
                if (!isInt(e.type())) throw bad("metadata " + k + " has type " + typeName(e.type()) + "; expected an integer");
                if (e.asLong() < 1 || e.asLong() > Integer.MAX_VALUE) throw bad("metadata " + k + " = " + e.asLong() + "; expected 1..2147483647");
            }
            positiveFinite(arch + ".rope.freq_base");
            positiveFinite(arch + ".attention.layer_norm_rms_epsilon");
            Entry tokens = kv.get("tokenizer.ggml.tokens");
            long vocab = -1;
            if (tokens != null) {
                if (tokens.type() != ARRAY || tokens.elementType() != STRING)
                    throw bad("metadata tokenizer.ggml.tokens is " + describe(tokens) + "; expected an array of strings");
                vocab = tokens.count();
                if (vocab < 1 || vocab > Integer.MAX_VALUE) throw bad("tokenizer.ggml.tokens has " + vocab + " entries; expected 1..2147483647");
            }
            Entry scores = kv.get("tokenizer.ggml.scores");
            if (scores != null) {
                if (scores.type() != ARRAY || !(isInt(scores.elementType()) || scores.elementType() == 6 || scores.elementType() == 12))
                    throw bad("metadata tokenizer.ggml.scores is " + describe(scores) + "; expected an array of float32");
                if (!scores.finiteElements()) throw bad("metadata " + scores.firstBad() + "; expected finite merge scores");
                if (vocab >= 0 && scores.count() != vocab) throw bad("tokenizer.ggml.scores has " + scores.count() + " entries, tokenizer.ggml.tokens has " + vocab);
            }
            Entry types = kv.get("tokenizer.ggml.token_type");
            if (types != null) {
                if (types.type() != ARRAY || !isInt(types.elementType()))
                    throw bad("metadata tokenizer.ggml.token_type is " + describe(types) + "; expected an array of int32");
                if (vocab >= 0 && types.count() != vocab) throw bad("tokenizer.ggml.token_type has " + types.count() + " entries, tokenizer.ggml.tokens has " + vocab);
            }
            Entry merges = kv.get("tokenizer.ggml.merges");
            if (merges != null && (merges.type() != ARRAY || merges.elementType() != STRING))
                throw bad("metadata tokenizer.ggml.merges is " + describe(merges) + "; expected an array of strings");
            for (String k : new String[]{"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
                    "tokenizer.ggml.padding_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
                Entry e = kv.get(k);
                if (e == null) continue;
                if (!isInt(e.type())) throw bad("metadata " + k + " has type " + typeName(e.type()) + "; expected an integer token id");
                boolean none = e.asLong() == -1 || e.asLong() == 0xFFFFFFFFL; // llama.cpp writes "no such token" as (uint32) -1
                if (none && !k.endsWith("bos_token_id") && !k.endsWith("eos_token_id")) continue;
                if (vocab >= 0 && (e.asLong() < 0 || e.asLong() >= vocab)) throw bad("metadata " + k + " = " + e.asLong() + " is outside the vocabulary 0.." + (vocab - 1));
            }
            if (vocab >= 0 && "llama".equals(stringValue("tokenizer.ggml.model")) && vocab < TokenizerValidator.MIN_VOCAB)
                throw bad("tokenizer.ggml.tokens has " + vocab + " entries; expected at least " + TokenizerValidator.MIN_VOCAB
                        + " (unk, BOS, EOS and the 256 byte-fallback pieces at ids 3..258)");
        }

        void positiveFinite(String k) {
            Entry e = kv.get(k);
            if (e == null) return;
            if (!(isInt(e.type()) || e.type() == 6 || e.type() == 12)) throw bad("metadata " + k + " has type " + typeName(e.type()) + "; expected a number");
            if (!(e.asDouble() > 0) || !Double.isFinite(e.asDouble())) throw bad("metadata " + k + " = " + e.asDouble() + "; expected a finite number > 0");
        }

        static String describe(Entry e) {
            return e.type() == ARRAY ? "an array of " + typeName(e.elementType()) : "a " + typeName(e.type());
        }
    }
}
