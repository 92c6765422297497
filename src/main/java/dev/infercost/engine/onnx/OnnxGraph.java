package dev.infercost.engine.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Small builder over the generated classes of the official {@code onnx.proto} ({@code ai.onnx.proto.OnnxMl},
 * shipped in Maven Central's {@code org.tribuo:tribuo-util-onnx}). Node and value names are generated
 * unique; initializers above {@link #externalThreshold} bytes go to an external data file when one is set
 * (ONNX external-data convention: {@code data_location = EXTERNAL}, keys location/offset/length,
 * https://onnx.ai/onnx/repo-docs/ExternalData.html).
 */
final class OnnxGraph {
    final OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder();
    private int counter;
    /** Where large initializers are streamed (null: everything inline). */
    OutputStream external;
    String externalLocation;
    long externalOffset;
    long externalThreshold = 1024;

    OnnxGraph(String name) { g.setName(name); }

    String fresh(String hint) { return hint + "_" + (counter++); }

    // ----- values -----
    static OnnxMl.TypeProto tensorType(int elemType, Object... dims) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String p) s.addDimBuilder().setDimParam(p);
            else s.addDimBuilder().setDimValue(((Number) d).longValue());
        }
        return OnnxMl.TypeProto.newBuilder().setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)).build();
    }

    void input(String name, int elemType, Object... dims) {
        g.addInput(OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(tensorType(elemType, dims)));
    }

    void output(String name, int elemType, Object... dims) {
        g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(tensorType(elemType, dims)));
    }

    // ----- initializers -----
    String floats(String hint, float[] data, long... dims) {
        if (external != null && (long) data.length * 4 >= externalThreshold) return externalFloats(hint, data, dims);
        if ((long) data.length * 4 > Integer.MAX_VALUE)
            throw new IllegalStateException(hint + ": tensor of " + data.length + " floats cannot be stored inline (protobuf limit 2 GiB); use external data");
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(data);
        return raw(hint, OnnxMl.TensorProto.DataType.FLOAT_VALUE, bb.array(), dims);
    }

    String longs(String hint, long... values) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(values);
        return raw(hint, OnnxMl.TensorProto.DataType.INT64_VALUE, bb.array(), values.length);
    }

    String scalarFloat(String hint, float v) {
        ByteBuffer bb = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
        return raw(hint, OnnxMl.TensorProto.DataType.FLOAT_VALUE, bb.array());
    }

    String scalarLong(String hint, long v) {
        ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        return raw(hint, OnnxMl.TensorProto.DataType.INT64_VALUE, bb.array());
    }

    String raw(String hint, int dataType, byte[] bytes, long... dims) {
        String name = fresh(hint);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) t.addDims(d);
        if (external != null && bytes.length >= externalThreshold) {
            try {
                external.write(bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write external data " + externalLocation, e);
            }
            t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
            t.addExternalData(kv("location", externalLocation));
            t.addExternalData(kv("offset", Long.toString(externalOffset)));
            t.addExternalData(kv("length", Long.toString(bytes.length)));
            externalOffset += bytes.length;
        } else {
            t.setRawData(ByteString.copyFrom(bytes));
        }
        g.addInitializer(t);
        return name;
    }

    /** Streams a float tensor to the external data file in 16 MiB chunks (tensors may exceed 2 GiB). */
    private String externalFloats(String hint, float[] data, long... dims) {
        String name = fresh(hint);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 24).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int i = 0; i < data.length; ) {
                chunk.clear();
                int n = Math.min(data.length - i, chunk.capacity() / 4);
                chunk.asFloatBuffer().put(data, i, n);
                external.write(chunk.array(), 0, n * 4);
                i += n;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write external data " + externalLocation, e);
        }
        long len = (long) data.length * 4;
        t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(kv("location", externalLocation));
        t.addExternalData(kv("offset", Long.toString(externalOffset)));
        t.addExternalData(kv("length", Long.toString(len)));
        externalOffset += len;
        g.addInitializer(t);
        return name;
    }

    private static OnnxMl.StringStringEntryProto kv(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    // ----- nodes -----
    /** Adds a node with one output; returns the output name. */
    String op(String type, String[] inputs, OnnxMl.AttributeProto... attrs) {
        return opDomain("", type, inputs, attrs);
    }

    String opDomain(String domain, String type, String[] inputs, OnnxMl.AttributeProto... attrs) {
        String out = fresh(type.toLowerCase());
        node(domain, type, inputs, new String[]{out}, attrs);
        return out;
    }

    void node(String domain, String type, String[] inputs, String[] outputs, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(type).setName(fresh(type));
        if (!domain.isEmpty()) n.setDomain(domain);
        for (String i : inputs) n.addInput(i);
        for (String o : outputs) n.addOutput(o);
        for (OnnxMl.AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
    }

    static String[] in(String... names) { return names; }

    static OnnxMl.AttributeProto attr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
    }

    static OnnxMl.AttributeProto attr(String name, float v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static OnnxMl.AttributeProto attrs(String name, long... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static List<String> names(List<OnnxMl.ValueInfoProto> v) {
        List<String> out = new ArrayList<>();
        for (OnnxMl.ValueInfoProto p : v) out.add(p.getName());
        return out;
    }
}
