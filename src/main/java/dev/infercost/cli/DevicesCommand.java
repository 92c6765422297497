package dev.infercost.cli;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.infercost.engine.EngineProvider;
import dev.infercost.engine.Engines;
import dev.infercost.engine.tornado.TornadoBackend;
import dev.infercost.engine.tornado.TornadoEngineProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code infercost devices}: what this machine can run on. Prints the CPU (model name from /proc/cpuinfo,
 * logical processors, JVM max heap), every engine backend with its availability, the TornadoVM devices
 * (id for {@code --device}, name, type, global memory, max work-group size, driver) and the ONNX Runtime
 * execution providers ({@code OrtEnvironment.getAvailableProviders()}).
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the CPU, the engine backends, TornadoVM devices and ONNX Runtime execution providers.")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        out.printf("CPU: %s, %d logical processors, JVM max heap %.1f GiB%n", cpuName(), rt.availableProcessors(),
                rt.maxMemory() / (double) (1L << 30));
        out.println();
        out.println("Engine backends:");
        TornadoEngineProvider tornado = null;
        for (EngineProvider p : Engines.all()) {
            EngineProvider.Availability a = p.availability();
            out.printf("  %-8s %-11s %s%n", p.backend(), a.available() ? "available" : "unavailable", a.detail());
            if (p instanceof TornadoEngineProvider t) tornado = t;
        }
        out.println();
        out.println("TornadoVM devices (--backend tornado --device <id>):");
        List<TornadoBackend.DeviceInfo> devices = tornado == null ? List.of() : tornado.devices();
        if (devices.isEmpty()) {
            out.println("  none" + (tornado == null ? " (no tornado provider registered)" : " (see the tornado line above)"));
        } else {
            out.printf("  %-5s %-40s %-12s %12s %8s  %s%n", "id", "name", "type", "memory [GiB]", "max WG", "driver");
            for (TornadoBackend.DeviceInfo d : devices)
                out.printf("  %-5s %-40s %-12s %12.2f %8d  %s%n", d.id(), d.name(), d.type(),
                        d.globalMemory() / (double) (1L << 30), d.maxWorkGroup(), d.driver());
        }
        out.println();
        out.println("ONNX Runtime execution providers:");
        try {
            EnumSet<OrtProvider> eps = OrtEnvironment.getAvailableProviders();
            for (OrtProvider p : eps) out.println("  " + p.getName());
        } catch (RuntimeException | LinkageError e) {
            out.println("  ONNX Runtime failed to load: " + e);
        }
        out.flush();
        return 0;
    }

    /** CPU model name from /proc/cpuinfo (Linux), else os.arch. */
    static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
