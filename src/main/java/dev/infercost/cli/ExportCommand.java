package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.engine.onnx.OnnxExporter;
import dev.infercost.model.BpeTokenizer;
import dev.infercost.model.GgufExporter;
import dev.infercost.model.Llama2cFormat;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.PresetShapes;
import dev.infercost.results.OutputFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code infercost export}: writes a loaded model (a preset with synthetic weights, a GGUF, a llama2.c file) as a
 * llama2.c legacy v0 checkpoint that llama2.c run.c reads (fp32), an ONNX decoder with KV cache
 * ({@link OnnxExporter}, fp32) or a GGUF v3 llama file that llama.cpp and infercost read ({@link GgufExporter},
 * f32 or f16). Never overwrites. Every format writes through {@link OutputFiles}: missing parent folders are
 * created, an existing file is refused (exit 2), an I/O fault (unwritable path, permission denied, disk full, a
 * parent that is a file) is one line naming {@code --out} with exit 3, and nothing half-written is left.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports a model (preset or file) as a llama2.c checkpoint (fp32, read by run.c), an ONNX decoder with KV cache (fp32) or a GGUF v3 file (f32 or f16, read by llama.cpp).")
public final class ExportCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--preset", description = "preset name, optionally with dtype (e.g. stories110M, llama-3.2-1b:q8_0)")
        String preset;
        @Option(names = "--model", description = "model file (.bin or .gguf) or preset")
        String model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer for a .bin --model")
    Path tokenizer;

    @Option(names = "--format", defaultValue = "llama2c", description = "output format: llama2c (default), onnx or gguf")
    String format;

    @Option(names = "--dtype", defaultValue = "f32", description = "gguf: weight matrices as f32 (default) or f16 (norm vectors stay f32)")
    String dtype;

    @Option(names = "--variant", defaultValue = "standard", description = "onnx: standard (ONNX opset 17 only; default) or contrib (ONNX Runtime contrib operators)")
    String variant;

    @Option(names = "--out", required = true, description = "output file (must not exist; missing folders are created)")
    Path out;

    @Option(names = "--tokenizer-out", description = "also write the model's tokenizer in llama2.c format (must not exist)")
    Path tokenizerOut;

    @Override
    public Integer call() throws IOException {
        String fmt = format.toLowerCase(java.util.Locale.ROOT);
        if (!java.util.List.of("llama2c", "onnx", "gguf").contains(fmt))
            throw new BadInputException("--format " + format + " is not supported; expected llama2c, onnx or gguf");
        GgufExporter.WeightType ggufType = GgufExporter.WeightType.parse(dtype);
        if (!fmt.equals("gguf") && ggufType != GgufExporter.WeightType.F32)
            throw new BadInputException("--dtype " + dtype + ": only gguf exports take f16; " + fmt + " is written as fp32");
        OnnxExporter.Variant onnxVariant = OnnxExporter.Variant.parse(variant);
        // checked before the (possibly long) load: an existing file is refused (exit 2), a parent that is a file is
        // an I/O fault (exit 3); missing parent folders are created by the writer, the same for every format
        OutputFiles.checkNew(out, "export never overwrites (choose another --out)");
        if (tokenizerOut != null) OutputFiles.checkNew(tokenizerOut, "export never overwrites (choose another --tokenizer-out)");
        String spec;
        if (source.preset != null) {
            String name = source.preset.startsWith("preset:") ? source.preset.substring(7) : source.preset;
            String base = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
            PresetShapes.config(base); // unknown preset -> BadInputException listing the known ones
            spec = "preset:" + name;
        } else spec = source.model;
        LlamaModel m = Models.load(spec, tokenizer);
        switch (fmt) {
            case "onnx" -> {
                OnnxExporter.Result r = OnnxExporter.export(m, out, onnxVariant);
                if (r.externalData() != null) System.err.println("infercost: weights in " + r.externalData());
            }
            case "gguf" -> GgufExporter.write(m, out, ggufType);
            default -> {
                if (m.config().ropeTheta() != 10000f)
                    System.err.println("infercost: note: llama2.c files have no RoPE theta field; run.c uses 10000, this model uses " + m.config().ropeTheta());
                Llama2cFormat.write(m, out);
            }
        }
        if (tokenizerOut != null) {
            if (!(m.tokenizer() instanceof BpeTokenizer b))
                throw new BadInputException("model " + spec + " has no llama2.c-style tokenizer to write");
            OutputFiles.writeBytes(tokenizerOut, "export never overwrites (choose another --tokenizer-out)", b.toLlama2cBytes());
        }
        System.err.printf("infercost: wrote %s (%s %s, %s weights, %d bytes)%n", out, fmt, fmt.equals("gguf") ? ggufType.name() : "F32",
                m.info().name() + " " + m.info().weightsLabel(), Files.size(out));
        return 0;
    }
}
