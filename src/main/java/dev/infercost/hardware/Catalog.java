package dev.infercost.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hardware catalog and data-centre parameters: bundled reference figures
 * ({@code src/main/resources/dev/infercost/reference/}: accelerators.csv, datacenter.csv copied from
 * {@code shared/reference}, plus infercost's own host.csv and assumptions.csv), optionally overridden or
 * extended by a user file ({@code --catalog FILE}, CSV or YAML). Every figure keeps its provenance, source
 * and date ({@link CatalogValue}); {@link #overrides()} lists what a user file changed.
 *
 * <p>User CSV: either the accelerators layout ({@code accelerator,vendor,metric,provider,value,unit,
 * source_url,source_date,confidence,notes[,provenance]}) or the data-centre layout ({@code parameter,scope,
 * value,unit,source_url,source_date,confidence,notes[,provenance]}). User YAML: a mapping with lists
 * {@code accelerators:} and/or {@code datacenter:} whose items use the same keys. A user row replaces the
 * bundled figure with the same chip + metric (+ provider for prices) or the same data-centre parameter; a
 * new chip or provider extends the catalog.
 */
public final class Catalog {
    static final String RES = "/dev/infercost/reference/";

    /**
     * Which row of datacenter.csv is the default for each parameter the cost model uses (parameter -> scope).
     * Parameters not in datacenter.csv come from assumptions.csv.
     */
    static final Map<String, String> DEFAULT_SCOPES = new LinkedHashMap<>();
    static {
        DEFAULT_SCOPES.put("electricity_price", "US industrial average 2023");
        DEFAULT_SCOPES.put("pue", "industry average (Uptime survey 2024)");
        DEFAULT_SCOPES.put("server_depreciation_life", "Epoch AI model assumption");
        DEFAULT_SCOPES.put("gpu_utilisation", "useful time AI servers (LBNL)");
        DEFAULT_SCOPES.put("power_draw_fraction", "GPU server avg power / TDP (Epoch)");
        DEFAULT_SCOPES.put("server_cost_multiplier", "server cost / GPU cost (Epoch)");
        DEFAULT_SCOPES.put("cluster_interconnect_share", "share of cluster hardware cost (Epoch)");
        DEFAULT_SCOPES.put("chip_to_server_power", "H100 (DGX H100 10.2 kW / 8 / 0.7 kW)");
    }

    /** Common spellings of chips whose catalog names differ (slug -> catalog slug prefix). */
    static final Map<String, String> ALIASES = Map.of("tpuv7", "tpu7x", "ironwood", "tpu7x", "tpuv7x", "tpu7x",
            "trillium", "tpuv6e", "trn2", "trainium2", "inf2", "inferentia2", "gaudi3", "gaudi3", "cpu", "cpuhost");

    private final Map<String, Accelerator> chips = new LinkedHashMap<>();
    private final Map<String, CatalogValue> datacenter = new LinkedHashMap<>();
    /** Every datacenter.csv row by "parameter|scope" (the defaults above pick one scope per parameter). */
    private final Map<String, CatalogValue> datacenterScoped = new LinkedHashMap<>();
    private final List<String> overrides = new ArrayList<>();

    private Catalog() {}

    /** The bundled catalog only. */
    public static Catalog bundled() { return load(null); }

    /**
     * Bundled catalog plus an optional user file.
     *
     * @param userFile CSV or YAML (null for none)
     * @throws BadInputException for unreadable files, unknown layouts, negative or non-numeric figures (naming
     *                           the file:line, chip and metric)
     */
    public static Catalog load(Path userFile) {
        Catalog c = new Catalog();
        c.readAcceleratorRows(resourceRows("accelerators.csv"), "accelerators.csv", false);
        c.readAcceleratorRows(resourceRows("host.csv"), "host.csv", false);
        // infercost's labelled assumptions filling gaps the published figures leave (e.g. Maia 200 price).
        c.readAcceleratorRows(resourceRows("assumed-accelerators.csv"), "assumed-accelerators.csv", false);
        // scale-up (NVLink / Infinity Fabric / ICI / NeuronLink) bandwidth and FP4 peaks, each row sourced
        c.readAcceleratorRows(resourceRows("scale-up.csv"), "scale-up.csv", false);
        c.addHostMemory();
        List<Row> dc = resourceRows("datacenter.csv");
        for (Row r : dc) {
            String p = r.get("parameter");
            c.datacenterScoped.put(p + "|" + r.get("scope"), c.dcValue(r, "datacenter.csv", false, "assumed"));
            if (r.get("scope").equals(DEFAULT_SCOPES.get(p))) c.datacenter.put(p, c.dcValue(r, "datacenter.csv", false, "assumed"));
        }
        for (Row r : resourceRows("assumptions.csv")) c.datacenter.put(r.get("parameter"), c.dcValue(r, "assumptions.csv", false, "assumed"));
        for (String p : DEFAULT_SCOPES.keySet())
            if (!c.datacenter.containsKey(p)) throw new IllegalStateException("bundled datacenter.csv lacks default scope for " + p);
        if (userFile != null) CatalogValidator.check(userFile); // structure, types and ranges first (issue 17)
        if (userFile != null) c.readUser(userFile);
        return c;
    }

    /** Chips in catalog order. */
    public List<Accelerator> chips() { return List.copyOf(chips.values()); }

    /** Human-readable list of what the user file changed or added ("H100 SXM unit_price: 27500 -> 25000 (my.csv:2)"). */
    public List<String> overrides() { return List.copyOf(overrides); }

    /**
     * Finds the chip for a measured {@code device_class} ("cpu-host", "H100-SXM", "h100 sxm", "B200"): exact
     * slug match first, then the first catalog chip whose slug starts with it. Null if none.
     */
    public Accelerator find(String deviceClass) {
        if (deviceClass == null || deviceClass.isBlank()) return null;
        String s = ALIASES.getOrDefault(Accelerator.slug(deviceClass), Accelerator.slug(deviceClass));
        for (Accelerator a : chips.values()) if (Accelerator.slug(a.name()).equals(s)) return a;
        for (Accelerator a : chips.values()) if (Accelerator.slug(a.name()).startsWith(s)) return a;
        return null;
    }

    /** A data-centre parameter with provenance. @throws BadInputException if it is absent */
    public CatalogValue dc(String parameter) {
        CatalogValue v = datacenter.get(parameter);
        if (v == null || !v.present()) throw new BadInputException("data-centre parameter '" + parameter + "' is missing or not a number");
        return v;
    }

    /**
     * A data-centre parameter of a named scope (a datacenter.csv row other than the default), e.g. pue /
     * "Epoch ChatGPT energy estimate"; a user override of the parameter wins. @throws BadInputException if absent
     */
    public CatalogValue dc(String parameter, String scope) {
        CatalogValue d = datacenter.get(parameter);
        if (d != null && d.overridden()) return d;
        CatalogValue v = datacenterScoped.get(parameter + "|" + scope);
        if (v == null || !v.present()) throw new BadInputException("data-centre parameter '" + parameter + "' scope '" + scope + "' is missing or not a number");
        return v;
    }

    /** All data-centre parameters in use. */
    public Map<String, CatalogValue> datacenter() { return Map.copyOf(datacenter); }

    /**
     * Sets (overrides) one figure programmatically, e.g. from {@code --host-peak-bandwidth}; recorded in
     * {@link #overrides()}.
     */
    public void set(String chip, String metric, CatalogValue v) {
        Accelerator a = chips.get(chip);
        if (a == null) throw new BadInputException("catalog has no chip '" + chip + "'");
        List<CatalogValue> old = a.metrics().get(metric);
        String was = old == null || old.isEmpty() ? "none" : a.get(metric) == null ? "n/a" : CatalogValue.fmt(a.get(metric).value());
        a.metrics().put(metric, new ArrayList<>(List.of(v)));
        overrides.add(chip + " " + metric + ": " + was + " -> " + CatalogValue.fmt(v.value()) + " " + v.unit() + " (" + v.origin() + ")");
    }

    /** Adds or replaces a per-hour price quote (e.g. {@code --usd-per-hour} for the measured host). */
    public void setPrice(String chip, PriceQuote q) {
        Accelerator a = chips.get(chip);
        if (a == null) throw new BadInputException("catalog has no chip '" + chip + "'");
        a.prices().removeIf(p -> p.tier().equals(q.tier()) && p.provider().equals(q.provider()));
        a.prices().add(q);
        overrides.add(chip + " " + q.tier() + " price: -> " + CatalogValue.fmt(q.price().value()) + " USD/h (" + q.price().origin() + ")");
    }

    // ---------------------------------------------------------------- reading

    record Row(Map<String, String> cells, String origin) {
        String get(String k) { String v = cells.get(k); return v == null ? "" : v.trim(); }
    }

    static List<Row> resourceRows(String name) {
        try (InputStream in = Catalog.class.getResourceAsStream(RES + name)) {
            if (in == null) throw new IllegalStateException("missing bundled resource " + RES + name);
            return csvRows(new InputStreamReader(in, StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + name, e);
        }
    }

    static List<Row> csvRows(Reader r, String origin) throws IOException {
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get().parse(r)) {
            List<Row> out = new ArrayList<>();
            for (CSVRecord rec : p) {
                Map<String, String> m = new LinkedHashMap<>();
                for (String h : p.getHeaderNames()) m.put(h.trim().toLowerCase(Locale.ROOT), rec.isMapped(h) && rec.isSet(h) ? rec.get(h) : "");
                out.add(new Row(m, origin + ":" + (rec.getRecordNumber() + 1)));
            }
            return out;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BadInputException(origin + ": malformed CSV: " + e.getMessage(), e);
        }
    }

    private void readUser(Path f) {
        if (!Files.isRegularFile(f)) throw new BadInputException(f + ": catalog file not found");
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Row> acc = new ArrayList<>(), dc = new ArrayList<>();
        try {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(f.toFile());
                if (root == null || !root.isObject())
                    throw new BadInputException(f + ": expected a YAML mapping with 'accelerators:' and/or 'datacenter:' lists");
                for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!k.equals("accelerators") && !k.equals("datacenter"))
                        throw new BadInputException(f + ": unknown top-level key '" + k + "' (expected accelerators, datacenter)");
                }
                yamlRows(root.get("accelerators"), f + " accelerators", acc);
                yamlRows(root.get("datacenter"), f + " datacenter", dc);
            } else {
                List<Row> rows;
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) { rows = csvRows(r, f.toString()); }
                if (rows.isEmpty()) throw new BadInputException(f + ": catalog file has no rows");
                Set<String> cols = rows.get(0).cells().keySet();
                if (cols.contains("accelerator") && cols.contains("metric")) acc.addAll(rows);
                else if (cols.contains("parameter")) dc.addAll(rows);
                else throw new BadInputException(f + ": header " + cols + " is neither the accelerators layout (accelerator,metric,value,unit,...) nor the datacenter layout (parameter,value,unit,...)");
            }
        } catch (IOException e) {
            throw new BadInputException(f + ": cannot read catalog: " + e.getMessage(), e);
        }
        readAcceleratorRows(acc, f.toString(), true);
        for (Row r : dc) {
            String p = r.get("parameter");
            if (p.isEmpty()) throw new BadInputException(r.origin() + ": 'parameter' is empty");
            CatalogValue v = dcValue(r, f.toString(), true, "assumed");
            if (!v.present()) throw new BadInputException(r.origin() + ": " + p + " value '" + r.get("value") + "' is not a number or range");
            CatalogValue old = datacenter.put(p, v);
            overrides.add("datacenter " + p + ": " + (old == null ? "none" : CatalogValue.fmt(old.value()) + " " + old.unit()) + " -> " + v.describe());
        }
    }

    private static void yamlRows(JsonNode list, String origin, List<Row> out) {
        if (list == null) return;
        if (!list.isArray()) throw new BadInputException(origin + ": expected a list");
        int i = 0;
        for (JsonNode item : list) {
            i++;
            if (!item.isObject()) throw new BadInputException(origin + " item " + i + ": expected a mapping");
            Map<String, String> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().isNull() ? "" : e.getValue().asText());
            }
            out.add(new Row(m, origin + " item " + i));
        }
    }

    private CatalogValue dcValue(Row r, String file, boolean user, String defaultProvenance) {
        String prov = r.get("provenance").isEmpty() ? defaultProvenance : checkProvenance(r);
        String notes = r.get("scope").isEmpty() ? r.get("notes") : ("scope: " + r.get("scope") + (r.get("notes").isEmpty() ? "" : "; " + r.get("notes")));
        return CatalogValue.parse(r.get("value"), r.get("unit"), prov, r.get("confidence"), r.get("source_url"),
                r.get("source_date"), notes, r.origin(), user);
    }

    private void readAcceleratorRows(List<Row> rows, String file, boolean user) {
        Map<String, Boolean> replaced = new LinkedHashMap<>();
        for (Row r : rows) {
            String name = r.get("accelerator"), metric = r.get("metric").toLowerCase(Locale.ROOT);
            if (name.isEmpty()) throw new BadInputException(r.origin() + ": 'accelerator' is empty");
            if (metric.isEmpty()) throw new BadInputException(r.origin() + ": 'metric' is empty for " + name);
            String provider = r.get("provider");
            String tier = PriceQuote.tierOf(metric, provider);
            String prov = !r.get("provenance").isEmpty() ? checkProvenance(r)
                    : user ? "assumed"
                    : tier != null && tier.startsWith("inferencex") || metric.equals("all_in_power") ? "assumed" : "spec";
            CatalogValue v = CatalogValue.parse(r.get("value"), r.get("unit"), prov, r.get("confidence"), r.get("source_url"),
                    r.get("source_date"), r.get("notes"), r.origin(), user);
            if (!r.get("value").isEmpty() && !v.present())
                throw new BadInputException(r.origin() + ": " + name + " " + metric + " value '" + r.get("value") + "' is not a number or range");
            if (v.present() && v.low() < 0)
                throw new BadInputException(r.origin() + ": " + name + " " + metric + " = " + r.get("value") + ": expected a non-negative figure" + (tier != null || metric.contains("price") ? " (negative price)" : ""));
            if (v.present() && user) Accelerator.toSi(v); // unit check up front, names the row
            Accelerator a = findExact(name);
            boolean isNew = a == null;
            if (a == null) {
                a = new Accelerator(name, r.get("vendor").isEmpty() ? "unknown" : r.get("vendor"), new LinkedHashMap<>(), new ArrayList<>());
                chips.put(name, a);
            }
            if (tier != null) {
                if (user) {
                    String k = a.name() + "|" + metric + "|" + provider;
                    List<PriceQuote> old = a.prices().stream().filter(q -> q.metric().equals(metric) && q.provider().equals(provider)).toList();
                    a.prices().removeAll(old);
                    overrides.add(a.name() + " " + metric + (provider.isEmpty() ? "" : " [" + provider + "]") + ": "
                            + (old.isEmpty() ? (isNew ? "new chip" : "added") : CatalogValue.fmt(old.get(0).price().value())) + " -> " + v.describe());
                    replaced.put(k, true);
                }
                a.prices().add(new PriceQuote(tier, metric, provider.isEmpty() ? "(catalog)" : provider, v));
            } else {
                List<CatalogValue> list = a.metrics().computeIfAbsent(metric, k -> new ArrayList<>());
                if (user) {
                    String k = a.name() + "|" + metric;
                    if (!replaced.containsKey(k)) {
                        CatalogValue old = a.get(metric);
                        overrides.add(a.name() + " " + metric + ": " + (old == null ? (isNew ? "new chip" : "none") : CatalogValue.fmt(old.value()) + " " + old.unit()) + " -> " + v.describe());
                        list.clear();
                        replaced.put(k, true);
                    }
                }
                list.add(v);
            }
        }
    }

    static String checkProvenance(Row r) {
        String p = r.get("provenance").toLowerCase(Locale.ROOT);
        if (!Set.of("spec", "measured", "assumed", "projected").contains(p))
            throw new BadInputException(r.origin() + ": provenance '" + r.get("provenance") + "' is not one of spec, measured, assumed, projected");
        return p;
    }

    private Accelerator findExact(String name) {
        Accelerator a = chips.get(name);
        if (a != null) return a;
        String s = Accelerator.slug(name);
        for (Accelerator x : chips.values()) if (Accelerator.slug(x.name()).equals(s)) return x;
        return null;
    }

    /** This machine's memory, as the OS reports it, is the cpu-host's capacity (provenance measured). */
    private void addHostMemory() {
        Accelerator h = chips.get(Accelerator.CPU_HOST);
        if (h == null) return;
        double bytes = Double.NaN;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            bytes = os.getTotalMemorySize();
        if (!Double.isNaN(bytes) && !h.metrics().containsKey("hbm_capacity"))
            h.metrics().put("hbm_capacity", new ArrayList<>(List.of(new CatalogValue(bytes / 1e9, bytes / 1e9, bytes / 1e9,
                    CatalogValue.fmt(bytes / 1e9), "GB", "measured", "high", "OperatingSystemMXBean.getTotalMemorySize()",
                    java.time.LocalDate.now().toString(), "host RAM as reported by the OS", "this machine", false))));
    }
}
