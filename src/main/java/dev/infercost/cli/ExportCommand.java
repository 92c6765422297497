package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.model.BpeTokenizer;
import dev.infercost.model.Llama2cFormat;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.PresetShapes;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/**
 * {@code infercost export}: writes a loaded model (a preset with synthetic weights, a GGUF, a llama2.c file) as a
 * llama2.c legacy v0 checkpoint that llama2.c run.c reads; all tensors are written as fp32. Never overwrites.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports a model (preset or file) as a llama2.c checkpoint (fp32, legacy v0 format read by run.c).")
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

    @Option(names = "--format", defaultValue = "llama2c", description = "output format: llama2c (default)")
    String format;

    @Option(names = "--out", required = true, description = "output file (must not exist)")
    Path out;

    @Option(names = "--tokenizer-out", description = "also write the model's tokenizer in llama2.c format (must not exist)")
    Path tokenizerOut;

    @Override
    public Integer call() throws IOException {
        if (!"llama2c".equals(format)) throw new BadInputException("--format " + format + " is not supported; expected llama2c");
        if (Files.exists(out)) throw new BadInputException(out + ": file exists; export never overwrites (choose another --out)");
        if (tokenizerOut != null && Files.exists(tokenizerOut))
            throw new BadInputException(tokenizerOut + ": file exists; export never overwrites");
        String spec;
        if (source.preset != null) {
            String name = source.preset.startsWith("preset:") ? source.preset.substring(7) : source.preset;
            String base = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
            PresetShapes.config(base); // unknown preset -> BadInputException listing the known ones
            spec = "preset:" + name;
        } else spec = source.model;
        LlamaModel m = Models.load(spec, tokenizer);
        if (m.config().ropeTheta() != 10000f)
            System.err.println("infercost: note: llama2.c files have no RoPE theta field; run.c uses 10000, this model uses " + m.config().ropeTheta());
        Llama2cFormat.write(m, out);
        if (tokenizerOut != null) {
            if (!(m.tokenizer() instanceof BpeTokenizer b))
                throw new BadInputException("model " + spec + " has no llama2.c-style tokenizer to write");
            try {
                Files.write(tokenizerOut, b.toLlama2cBytes(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                throw new BadInputException(tokenizerOut + ": file exists; export never overwrites");
            }
        }
        System.err.printf("infercost: wrote %s (%s, %s weights, %d bytes)%n", out, m.info().name(), m.info().weightsLabel(), Files.size(out));
        return 0;
    }
}
