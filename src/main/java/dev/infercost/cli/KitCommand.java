package dev.infercost.cli;

import dev.infercost.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * {@code infercost kit --out FILE.tar.xz}: one archive that runs infercost and the GPU check on a Linux x86-64
 * machine with no Java, Maven or network (a bare rented GPU box). Contents, under {@code infercost-kit/}:
 * <ul>
 *   <li>{@code runtime/}: a Java runtime made with {@code jlink} holding only the modules infercost needs (found
 *       with {@code jdeps --print-module-deps} over the jar and its dependencies, plus {@code jdk.incubator.vector},
 *       which the kernels add with {@code --add-modules}; with TornadoVM also the modules its jars need and
 *       {@code jdk.internal.vm.ci}), built with {@code --strip-debug --no-header-files --no-man-pages --compress zip-0} (see {@link #jlink});</li>
 *   <li>{@code lib/}: infercost's jar and its runtime dependencies, with native libraries of other platforms
 *       removed (ONNX Runtime, DJL tokenizers and JNA ship natives for Windows, macOS and Linux on ARM; only
 *       linux-x64 is kept) and the MiniLM encoder's 90 MB .onnx model left out (the GPU check does not use it); jars are
 *       repacked without compression, so that the archive's xz compresses their contents;</li>
 *   <li>{@code models/}: stories260K.bin and tok512.bin (the GPU check's accuracy model);</li>
 *   <li>{@code bin/infercost}, {@code gpu-check.sh}: the launcher and the GPU check, both using {@code runtime/};</li>
 *   <li>{@code tornadovm/}: the TornadoVM SDK from {@code TORNADOVM_HOME} (or {@code --tornadovm DIR}) when one is
 *       given; the launcher writes its {@code tornado-argfile} from the SDK's template for wherever the kit is
 *       unpacked;</li>
 *   <li>{@code KIT.md} and {@code kit.json}: what is in the kit and what it leaves out (modules, jars, sizes).</li>
 * </ul>
 * The archive is a tar (Apache Commons Compress) compressed with xz (the system's {@code xz} when present, else XZ
 * for Java), written under a temporary
 * name and moved into place; an existing file is never overwritten.
 */
@Command(name = "kit", mixinStandardHelpOptions = true,
        description = "Builds a portable tar.xz (trimmed Java runtime, jar + dependencies, models, gpu-check.sh, and the TornadoVM SDK when TORNADOVM_HOME is set) for Linux x86-64 machines without Java.")
public final class KitCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Archive to write (.tar.xz); must not exist.")
    Path out;

    @Option(names = "--app", description = "infercost's jar, or a classes folder to jar (default: target/infercost.jar of the checkout).")
    Path app;

    @Option(names = "--lib", description = "Dependency jars: a folder of jars, or a file holding a class path (default: target/lib of the checkout).")
    Path lib;

    @Option(names = "--tornadovm", description = "TornadoVM SDK to include (default: $TORNADOVM_HOME when set).")
    Path tornadovm;

    @Option(names = "--no-tornadovm", description = "Leave TornadoVM out even when TORNADOVM_HOME is set.")
    boolean noTornadovm;

    @Option(names = "--models", description = "Folder with stories260K.bin and tok512.bin (default: models/ of the checkout, else ../shared/models).")
    Path models;

    @Option(names = "--xz-level", defaultValue = "6", description = "xz preset 0..9 (default ${DEFAULT-VALUE}; 0 is fastest, for tests).")
    int xzLevel;

    /** Files of the GPU check's accuracy model. */
    static final List<String> MODEL_FILES = List.of("stories260K.bin", "tok512.bin");

    /** A path segment naming a platform of native libraries ("win-x64", "osx-aarch64", "linux-x86_64", "darwin-aarch64" ...). */
    static final Pattern PLATFORM = Pattern.compile("(win|windows|win32|osx|darwin|mac|macos|linux|freebsd|openbsd|sunos|aix|android)"
            + "[-_](x86[-_]64|x64|amd64|aarch64|arm64|arm\\w*|x86|i386|ppc64le|ppc64|ppc|s390x|riscv64|loongarch64|mips64el|sparcv9)");
    /** The platform segments kept. */
    static final Set<String> KEEP = Set.of("linux-x64", "linux-x86_64", "linux-x86-64", "linux-amd64");

    @Override
    public Integer call() throws Exception {
        if (xzLevel < 0 || xzLevel > 9) throw new BadInputException("--xz-level " + xzLevel + ": expected 0..9");
        if (!out.getFileName().toString().endsWith(".tar.xz")) throw new BadInputException("--out " + out + ": expected a .tar.xz file name");
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) throw new BadInputException("--out " + out + ": exists; a kit is never overwritten");
        Path home = home();
        Path appJar = app != null ? app : home.resolve("target/infercost.jar");
        if (!Files.exists(appJar)) throw new BadInputException("--app " + appJar + ": not found (build first: mvn -DskipTests package, or run through bin/infercost)");
        List<Path> deps = dependencies(lib != null ? lib : home.resolve("target/lib"));
        Path sdk = noTornadovm ? null : tornadovm != null ? tornadovm : env("TORNADOVM_HOME");
        if (sdk != null && !Files.isRegularFile(sdk.resolve("tornado-argfile.template")))
            throw new BadInputException((tornadovm != null ? "--tornadovm " : "TORNADOVM_HOME=") + sdk + ": not a TornadoVM SDK (no tornado-argfile.template)");
        Path modelDir = models != null ? models : Files.isRegularFile(home.resolve("models/stories260K.bin")) ? home.resolve("models") : home.resolve("../shared/models").normalize();
        for (String f : MODEL_FILES)
            if (!Files.isRegularFile(modelDir.resolve(f))) throw new BadInputException("--models " + modelDir + ": " + f + " is missing");

        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("infercost-kit");
        Path kit = work.resolve("infercost-kit");
        Map<String, Object> manifest = new LinkedHashMap<>();
        List<String> leftOut = new ArrayList<>();
        try {
            Files.createDirectories(kit.resolve("lib"));
            Files.createDirectories(kit.resolve("bin"));
            Files.createDirectories(kit.resolve("models"));
            // 1. the application jar (a classes folder is jarred) and the trimmed dependencies
            Path kitJar = kit.resolve("lib/infercost.jar");
            if (Files.isDirectory(appJar)) jarFolder(appJar, kitJar); else Files.copy(appJar, kitJar);
            if (sdk != null && !hasEntry(kitJar, "dev/infercost/engine/tornado/TornadoBackendImpl.class"))
                throw new BadInputException(appJar + " has no TornadoVM classes (built without TORNADOVM_HOME); rebuild with TORNADOVM_HOME set (bin/infercost does), or pass --no-tornadovm");
            List<Map<String, Object>> libs = new ArrayList<>();
            for (Path d : deps) {
                Path to = kit.resolve("lib").resolve(d.getFileName().toString());
                List<String> dropped = trimJar(d, to);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("jar", d.getFileName().toString());
                e.put("bytes_in", Files.size(d));
                e.put("bytes_kit", Files.size(to));
                if (!dropped.isEmpty()) {
                    e.put("left_out", dropped);
                    leftOut.add(d.getFileName() + ": " + String.join(", ", dropped));
                }
                libs.add(e);
            }
            manifest.put("lib", libs);
            // 2. models and scripts
            for (String f : MODEL_FILES) Files.copy(modelDir.resolve(f), kit.resolve("models").resolve(f));
            copyExecutable(checkoutFile(home, "bin/kit-infercost.sh"), kit.resolve("bin/infercost"));
            copyExecutable(checkoutFile(home, "benchmarks/gpu-check.sh"), kit.resolve("gpu-check.sh"));
            // 3. TornadoVM SDK (documentation and examples left out)
            List<Path> sdkJars = new ArrayList<>();
            if (sdk != null) {
                copyTree(sdk, kit.resolve("tornadovm"), p -> {
                    String r = sdk.relativize(p).toString();
                    return !(r.equals("tornado-argfile") || r.startsWith("examples") || r.endsWith(".rst") || r.equals("README.md") || r.equals("CONTRIBUTING.md"));
                });
                leftOut.add("TornadoVM SDK: examples/, README.md, CHANGELOG.rst, CONTRIBUTING.md (its tornado-argfile is regenerated for the kit's location)");
                try (Stream<Path> s = Files.walk(sdk.resolve("share/java"))) { s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(sdkJars::add); }
                manifest.put("tornadovm", sdk.getFileName().toString());
            } else {
                leftOut.add("TornadoVM (no SDK given: set TORNADOVM_HOME or --tornadovm DIR): the tornado backend reports itself unavailable");
            }
            // 4. the trimmed runtime
            List<Path> kitLibs = new ArrayList<>();
            try (Stream<Path> s = Files.list(kit.resolve("lib"))) { s.sorted().forEach(kitLibs::add); }
            TreeSet<String> modules = modules(kitLibs, sdkJars);
            manifest.put("modules", List.copyOf(modules));
            jlink(modules, kit.resolve("runtime"));
            // 5. description, then the archive
            manifest.put("left_out", leftOut);
            long unpacked = treeSize(kit);
            manifest.put("unpacked_bytes", unpacked);
            Files.writeString(kit.resolve("kit.json"), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
            Files.writeString(kit.resolve("KIT.md"), kitReadme(modules, leftOut, sdk != null));
            Path tmp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".partial");
            Files.deleteIfExists(tmp);
            tarXz(work, "infercost-kit", tmp, xzLevel);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf(Locale.ROOT, "kit: %s  %.1f MiB (unpacked %.1f MiB), %d modules, TornadoVM %s, built in %.0f s%n", out, Files.size(out) / 1048576.0,
                    unpacked / 1048576.0, modules.size(), sdk == null ? "not included" : "included", (System.nanoTime() - t0) / 1e9);
            System.out.println("kit: unpack with `tar -xJf " + out.getFileName() + "`, then ./infercost-kit/bin/infercost ... or ./infercost-kit/gpu-check.sh OUTDIR");
            return 0;
        } finally {
            deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- inputs

    static Path home() {
        String h = System.getProperty("infercost.home");
        return (h == null ? Path.of("") : Path.of(h)).toAbsolutePath().normalize();
    }

    private static Path env(String k) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** Jars of a folder, or the jars of a class-path file (entries separated by the path separator). */
    static List<Path> dependencies(Path lib) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) { s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(out::add); }
        } else if (Files.isRegularFile(lib)) {
            for (String e : Files.readString(lib).trim().split(java.io.File.pathSeparator))
                if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) out.add(Path.of(e));
        } else {
            throw new BadInputException("--lib " + lib + ": no such folder or class-path file (build first: mvn -DskipTests package)");
        }
        if (out.isEmpty()) throw new BadInputException("--lib " + lib + ": no jars");
        return out;
    }

    private static Path checkoutFile(Path home, String rel) {
        Path p = home.resolve(rel);
        if (!Files.isRegularFile(p)) throw new BadInputException(p + ": missing (the kit is built from an infercost checkout; infercost.home=" + home + ")");
        return p;
    }

    // ---------------------------------------------------------------- jars

    /**
     * Copies a jar, leaving out native libraries of platforms other than linux-x64 and the MiniLM .onnx model.
     * Returns what was left out, grouped, with compressed sizes.
     */
    static List<String> trimJar(Path in, Path to) throws IOException {
        Map<String, Long> dropped = new LinkedHashMap<>();
        try (JarFile jf = new JarFile(in.toFile(), false);
             JarOutputStream jo = new JarOutputStream(new BufferedOutputStream(Files.newOutputStream(to)))) {
            jo.setLevel(java.util.zip.Deflater.NO_COMPRESSION); // the archive's xz compresses the raw bytes far better than deflate
            for (JarEntry e : java.util.Collections.list(jf.entries())) {
                String why = dropReason(e.getName());
                if (why != null) { dropped.merge(why, Math.max(0, e.getCompressedSize()), Long::sum); continue; }
                JarEntry ne = new JarEntry(e.getName());
                ne.setTime(e.getTime());
                jo.putNextEntry(ne);
                if (!e.isDirectory()) try (InputStream is = jf.getInputStream(e)) { is.transferTo(jo); }
                jo.closeEntry();
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> d : dropped.entrySet())
            out.add(String.format(Locale.ROOT, "%s (%.1f MB compressed)", d.getKey(), d.getValue() / 1e6));
        return out;
    }

    /** Why a jar entry stays out of the kit, or null to keep it. */
    static String dropReason(String name) {
        if (name.equals("all-minilm-l6-v2.onnx")) return "all-minilm-l6-v2.onnx (MiniLM encoder model; the GPU check does not use it)";
        String[] segs = name.split("/");
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i].toLowerCase(Locale.ROOT);
            if (PLATFORM.matcher(s).matches() && !KEEP.contains(s) && (i < segs.length - 1 || name.endsWith("/")))
                return "natives " + String.join("/", java.util.Arrays.copyOf(segs, i + 1)) + "/";
        }
        return null;
    }

    /** Jars a classes folder (keeps META-INF resources such as JMH's BenchmarkList and service files). */
    static void jarFolder(Path dir, Path jar) throws IOException {
        try (JarOutputStream jo = new JarOutputStream(new BufferedOutputStream(Files.newOutputStream(jar)));
             Stream<Path> s = Files.walk(dir)) {
            jo.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                jo.putNextEntry(new JarEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jo);
                jo.closeEntry();
            }
        }
    }

    static boolean hasEntry(Path jar, String name) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) { return jf.getEntry(name) != null; }
    }

    // ---------------------------------------------------------------- runtime

    /** Modules infercost needs: jdeps over the kit's jars (and TornadoVM's), plus the ones added at launch. */
    static TreeSet<String> modules(List<Path> jars, List<Path> sdkJars) {
        TreeSet<String> mods = new TreeSet<>(jdeps(jars));
        mods.add("jdk.incubator.vector");   // --add-modules jdk.incubator.vector (kernels)
        mods.add("jdk.management");         // JMH reads its forks' JVM arguments and GC counters
        mods.add("jdk.zipfs");              // resources read as a file system
        if (!sdkJars.isEmpty()) {
            // TornadoVM's jars are modules (module path + --upgrade-module-path): their descriptors name the JDK modules they require
            for (java.lang.module.ModuleReference r : java.lang.module.ModuleFinder.of(sdkJars.toArray(Path[]::new)).findAll())
                for (java.lang.module.ModuleDescriptor.Requires q : r.descriptor().requires()) mods.add(q.name());
            mods.add("jdk.internal.vm.ci"); // -XX:+EnableJVMCI: TornadoVM's compiler is a JVMCI client
            mods.add("jdk.unsupported");
        }
        java.lang.module.ModuleFinder system = java.lang.module.ModuleFinder.ofSystem();
        mods.removeIf(m -> system.find(m).isEmpty()); // TornadoVM's own and Graal's modules come from its SDK
        return mods;
    }

    static List<String> jdeps(List<Path> jars) {
        List<String> args = new ArrayList<>(List.of("--ignore-missing-deps", "-q", "--multi-release", Integer.toString(Runtime.version().feature()),
                "--print-module-deps", "--class-path", String.join(java.io.File.pathSeparator, jars.stream().map(Path::toString).toList())));
        for (Path j : jars) args.add(j.toString());
        String text = tool("jdeps", args);
        List<String> mods = new ArrayList<>();
        for (String line : text.strip().split("\\R")) {
            String l = line.strip();
            if (!l.matches("[A-Za-z0-9_.,]+")) continue; // warnings
            for (String m : l.split(",")) if (!m.isBlank()) mods.add(m.strip());
        }
        if (mods.isEmpty()) throw new IllegalStateException("jdeps printed no module list: " + text);
        return mods;
    }

    /**
     * jlink with --strip-debug (on Linux also native debug sections, with objcopy) --no-header-files --no-man-pages,
     * and --compress zip-0: the jimage stays uncompressed because the
     * archive's xz compresses it much better than jimage's zip (the kit is shipped as .tar.xz, never unpacked to
     * a small disk).
     */
    static void jlink(Set<String> modules, Path runtime) {
        List<String> args = new ArrayList<>(List.of("--add-modules", String.join(",", modules), "--strip-debug", "--no-header-files", "--no-man-pages",
                "--compress", "zip-0", "--output", runtime.toString()));
        tool("jlink", args);
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    /** Runs a JDK tool in-process (this JVM must be a full JDK, as the checkout's is). */
    private static String tool(String name, List<String> args) {
        ToolProvider t = ToolProvider.findFirst(name).orElseThrow(() -> new BadInputException(
                "kit: this Java runtime has no '" + name + "' (build the kit with a full JDK 25: bin/infercost kit from the checkout)"));
        StringWriter o = new StringWriter(), e = new StringWriter();
        int rc = t.run(new PrintWriter(o, true), new PrintWriter(e, true), args.toArray(String[]::new));
        if (rc != 0) throw new IllegalStateException(name + " failed (" + rc + "): " + e + o);
        return o.toString();
    }

    // ---------------------------------------------------------------- files and archive

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        to.toFile().setExecutable(true, false);
    }

    private static void copyTree(Path from, Path to, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                if (p.equals(from)) { Files.createDirectories(to); continue; }
                if (!keep.test(p)) continue;
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else { Files.createDirectories(t.getParent()); Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES); }
            }
        }
    }

    static long treeSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    /**
     * Writes {@code base/name} as a tar.xz, keeping executable bits (a symbolic link is stored as the file it points
     * to). The tar stream is written by Commons Compress; the xz stream by the system's {@code xz -T0} when it is on
     * the PATH (multi-threaded, several times faster), else by XZ for Java. Both write the standard .xz format.
     */
    static void tarXz(Path base, String name, Path archive, int level) throws IOException {
        if (onPath("xz")) {
            Process xz = new ProcessBuilder("xz", "-T0", "-" + level, "-c").redirectOutput(archive.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (OutputStream o = new BufferedOutputStream(xz.getOutputStream(), 1 << 20)) {
                tar(base, name, o);
            }
            try {
                if (xz.waitFor() != 0) throw new IOException("xz exited with " + xz.exitValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                xz.destroyForcibly();
                throw new IOException("interrupted while xz compressed the kit", e);
            }
            return;
        }
        try (OutputStream fo = new BufferedOutputStream(Files.newOutputStream(archive));
             XZCompressorOutputStream xz = new XZCompressorOutputStream(fo, level)) {
            tar(base, name, xz);
        }
    }

    private static void tar(Path base, String name, OutputStream os) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(os) {
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                @Override public void close() throws IOException { out.flush(); }
             });
             Stream<Path> s = Files.walk(base.resolve(name))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : s.sorted().toList()) {
                boolean dir = Files.isDirectory(p);
                String entry = base.relativize(p).toString().replace('\\', '/') + (dir ? "/" : "");
                TarArchiveEntry te = new TarArchiveEntry(entry);
                te.setMode(dir ? 040755 : Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE) ? 0100755 : 0100644);
                te.setModTime(Files.getLastModifiedTime(p).toMillis());
                if (!dir) te.setSize(Files.size(p));
                tar.putArchiveEntry(te);
                if (!dir) Files.copy(p, tar);
                tar.closeArchiveEntry();
            }
        }
    }

    /**
     * Unpacks a tar.xz made by {@link #tarXz} into {@code dest}, keeping executable bits; refuses entries that
     * leave {@code dest}. (Tests use it; on a machine with GNU tar, {@code tar -xJf} does the same.)
     */
    public static void untarXz(Path archive, Path dest) throws IOException {
        try (InputStream fi = new java.io.BufferedInputStream(Files.newInputStream(archive));
             XZCompressorInputStream xz = new XZCompressorInputStream(fi);
             TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path t = dest.resolve(e.getName()).normalize();
                if (!t.startsWith(dest)) throw new BadInputException(archive + ": entry " + e.getName() + " leaves the target folder");
                if (e.isDirectory()) { Files.createDirectories(t); continue; }
                Files.createDirectories(t.getParent());
                Files.copy(tar, t, StandardCopyOption.REPLACE_EXISTING);
                if ((e.getMode() & 0100) != 0) t.toFile().setExecutable(true, false);
            }
        }
    }

    private static String kitReadme(Set<String> modules, List<String> leftOut, boolean tornado) {
        StringBuilder sb = new StringBuilder();
        sb.append("# infercost kit\n\nMade by `infercost kit`. Runs on Linux x86-64 without an installed Java:\n\n")
                .append("    ./infercost-kit/bin/infercost run --quick --no-serve --model ./infercost-kit/models/stories260K.bin\n")
                .append("    ./infercost-kit/gpu-check.sh OUTDIR        # the plan is in the header of gpu-check.sh\n\n")
                .append("Java runtime (jlink, ").append(modules.size()).append(" modules): ").append(String.join(", ", modules)).append("\n\n")
                .append("TornadoVM SDK: ").append(tornado ? "included (tornadovm/; the launcher writes its tornado-argfile on first use)" : "not included").append("\n\n")
                .append("Left out:\n");
        for (String l : leftOut) sb.append("- ").append(l).append('\n');
        sb.append("- from the Java runtime: javac, jlink, jdeps, debug symbols, header files, man pages, and every module not listed above\n")
                .append("- the MiniLM encoder benchmark reports itself failed (its model is not in the kit)\n")
                .append("- Maven, the sources and the tests: the kit runs prebuilt classes only\n");
        return sb.toString();
    }
}
