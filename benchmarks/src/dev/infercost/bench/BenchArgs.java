package dev.infercost.bench;

import dev.infercost.BadInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --key value} arguments of the standalone benchmark mains (GpuCheck, DecodeSweep), parsed one way:
 * every key must be known and have a value; errors are bad input naming the tool.
 */
public final class BenchArgs {
    private BenchArgs() {}

    /** @throws BadInputException for an unknown key or a key without a value */
    public static Map<String, String> parse(String tool, List<String> known, String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (!k.startsWith("--") || i + 1 >= args.length || !known.contains(k.substring(2)))
                throw new BadInputException(tool + ": bad argument '" + k + "'; expected --" + String.join(" V, --", known) + " V");
            out.put(k.substring(2), args[++i]);
        }
        return out;
    }

    /** "k=v,k2=v2" backend options (EngineOptions.extra), e.g. tornado "wg=64"; empty for null or blank. */
    public static Map<String, String> extra(String tool, String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) return m;
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new BadInputException(tool + ": --extra " + spec + ": expected k=v[,k=v]");
            m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return m;
    }

    /** @throws BadInputException when {@code k} was not given */
    public static String req(String tool, Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) throw new BadInputException(tool + ": --" + k + " is required");
        return v;
    }
}
