package dev.infercost.revenue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.infercost.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A revenue-share scenario, read from YAML (Jackson YAML). Field names are the YAML keys; the annotated
 * example {@code models/scenario-default.yaml} documents every field. Every number is a {@link Quantity}
 * (value + source + confidence). Per-year lists have one entry per year in {@link #years}, or a single entry
 * that applies to every year.
 */
public final class Scenario {
    public static final String DEFAULT_RESOURCE = "/dev/infercost/revenue/scenario-default.yaml";

    public String name;
    public String description;
    /** Calendar years of the horizon, ascending. */
    public List<Integer> years;
    public Provider provider;
    public RevenueShare revenue_share;
    public Compute compute;
    public Cloud cloud;
    public Sensitivity sensitivity;
    /** Name of the deal terms this scenario states (the reference deal of the comparison), e.g. "Apr 2026 amendment". */
    public String terms_name;
    /** Discount rate and target margin; optional. */
    public Finance finance;
    /** Alternative deal terms compared side by side with the scenario's own terms; optional. */
    public List<Deal> deals = new ArrayList<>();

    /** Present value and the provider's target margin. */
    public static final class Finance {
        /** Discount rate per year [fraction]; cash flows of year y are discounted by (1 + r)^-(y - first year). Default 0.10. */
        public Quantity discount_rate;
        /** Provider margin the "maximum sustainable cloud tax" is computed for [fraction]; default 0. */
        public Quantity target_provider_margin;
    }

    /**
     * Alternative deal terms: each block given replaces the scenario's (revenue_share wholesale, so a deal without
     * a cap: is uncapped); blocks left out are the scenario's.
     */
    public static final class Deal {
        public String name;
        public String note;
        public RevenueShare revenue_share;
        /** The cloud's equity stake in the provider [fraction]. */
        public Quantity equity_stake;
        /** Take-or-pay compute commitment per year [USD]; [0] for none. */
        public List<Quantity> commitment_usd;
        public Quantity markup;
    }

    /** The model provider: volumes, prices and query mix. */
    public static final class Provider {
        public String name;
        /** Total provider revenue per year [USD]; API queries are derived from it (exclusive with api_queries_per_year). */
        public List<Quantity> revenue_usd;
        /** API queries per year [query] (exclusive with revenue_usd). */
        public List<Quantity> api_queries_per_year;
        /** Queries served without revenue (free tier) per year [query]; optional. */
        public List<Quantity> unpaid_queries_per_year;
        /** The provider's other costs per year (training, staff, other opex) [USD]; optional, default 0. */
        public List<Quantity> other_costs_usd;
        /** Price elasticity of paid volume e >= 0: paid volume x (price factor)^-e when prices are swung; default 0. */
        public Quantity price_elasticity;
        /** API list price [USD per 1M input tokens]. */
        public Quantity usd_per_m_input;
        /** API list price [USD per 1M output tokens]. */
        public Quantity usd_per_m_output;
        public List<Subscription> subscriptions = new ArrayList<>();
        /** Share of queries per profile (profiles are rows of the cost table); shares sum to 1. */
        public List<MixEntry> query_mix;
    }

    public static final class Subscription {
        public String name;
        /** [USD per subscriber-month] */
        public Quantity usd_per_month;
        /** Paying subscribers per year (average over the year) [subscriber]. */
        public List<Quantity> subscribers;
        /** [query per subscriber-month] */
        public Quantity queries_per_subscriber_per_month;
    }

    /**
     * One slice of the served workload: a query profile (cost-table profile) served by a named model (cost-table
     * model column, which names shape and precision, e.g. "llama-3.1-70b fp8"), at an interactivity target
     * (min_tok_per_s_per_user: the cheapest operating point reaching it) or a named operating_point.
     */
    public static final class MixEntry {
        public String profile;
        public String model;
        public String operating_point;
        public Double min_tok_per_s_per_user;
        public Quantity share;

        public String label() { return profile + (model == null ? "" : " / " + model) + (min_tok_per_s_per_user == null ? "" : " @>=" + min_tok_per_s_per_user + " tok/s/user"); }
    }

    /** What the provider pays the cloud out of its revenue. */
    public static final class RevenueShare {
        /** Take rate per year [fraction of provider revenue]. */
        public List<Quantity> rate;
        public Cap cap;
        /** The share the cloud pays the provider back (e.g. of its revenue from reselling the provider's models); optional. */
        public Reverse reverse;
    }

    /** Reverse share: rate x base_usd per year, pro rata to the day in the year it ends (if it ends). */
    public static final class Reverse {
        /** [fraction of base_usd] per year. */
        public List<Quantity> rate;
        /** The cloud's revenue the reverse share is taken on, per year [USD]. */
        public List<Quantity> base_usd;
        /** ISO date from which no reverse share is paid (e.g. 2026-04-27); optional. */
        public String ends;
    }

    /** A cumulative cap on revenue-share payments made in years first_year..last_year. */
    public static final class Cap {
        public Quantity amount_usd;
        public Integer first_year;
        public Integer last_year;
        /** Payments already counted against the cap before the first scenario year [USD]; default 0. */
        public Quantity paid_before_usd;
    }

    /** The compute the provider buys from the cloud: a cost-table row family plus the cloud's markup. */
    public static final class Compute {
        public String chip;
        public String tier;
        /** cost-table operating_point, or "cheapest" (lowest $/query per profile); default cheapest. */
        public String operating_point;
        /** Markup over the cost table's $/M tokens [fraction, 0.5 = +50%]. */
        public Quantity markup;
        /** Explicit multiplier on every cost-table $ figure [x]; default 1 (absolute costs). */
        public Quantity cost_scale;
        /**
         * What-if only: solve a cost scale so that compute bought for PAID queries in the first year = (1 - this) x
         * revenue, and report that calibrated result BESIDE the absolute one (never instead of it).
         */
        public Quantity calibrate_to;
        /** Take-or-pay commitment per year [USD]: the provider pays max(usage, commitment); optional. */
        public List<Quantity> commitment_usd;
        /** Yearly decline in cost per token from the first year on [fraction per year]; per-year list or one value; optional. */
        public List<Quantity> cost_decline;
    }

    /** The cloud's own silicon options and how much of the volume it moves to its custom chip. */
    public static final class Cloud {
        public String name;
        public Silicon nvidia;
        public Silicon custom;
        /** Share of queries served on the custom chip per year [fraction]. */
        public List<Quantity> custom_share;
        /** Custom-silicon programme cost per year not in the per-query rows (design, NRE, ramp) [USD]; optional. */
        public List<Quantity> custom_program_usd;
        /** The cloud's equity stake in the provider [fraction]; its share of provider profit counts in its economic result. */
        public Quantity equity_stake;
    }

    public static final class Silicon {
        public String chip;
        public String tier;
        public String operating_point;
    }

    /** One-at-a-time swings (tornado) and Monte Carlo ranges, as multipliers of the base value. */
    public static final class Sensitivity {
        public Long seed;
        public Integer samples;
        /** Keys: price, volume, cost_per_query, take_rate, markup, pue, usd_per_kwh. */
        public Map<String, Swing> swings = new LinkedHashMap<>();
    }

    public static final class Swing {
        /** Low and high multipliers of the base value [x base]. */
        public double low;
        public double high;
        public String source;
        public String date;
        public String confidence;
        public String note;

        public String citation() {
            StringBuilder b = new StringBuilder(confidence == null ? "assumed" : confidence);
            if (source != null && !source.isBlank()) b.append("; ").append(source);
            if (date != null && !date.isBlank()) b.append("; ").append(date);
            return b.toString();
        }
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** Reads and validates a scenario file. @throws BadInputException naming the file and field. */
    public static Scenario load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read scenario: " + e.getMessage(), e);
        }
    }

    /** The bundled default scenario (same text as models/scenario-default.yaml). */
    public static Scenario defaultScenario() {
        try (InputStream in = Scenario.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            return parse(in, "default scenario " + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a scenario file holds, for messages about empty or malformed files. */
    private static final String EXPECTED = "a scenario: a YAML mapping with name:, years:, provider:, revenue_share:, compute:, ... (see models/scenario-default.yaml)";

    static Scenario parse(InputStream in, String what) {
        Scenario s;
        try {
            s = mapper().readValue(in, Scenario.class);
        } catch (BadInputException e) {
            throw new BadInputException(what + ": " + e.getMessage(), e);
        } catch (JsonMappingException e) {
            Throwable c = e.getCause();
            if (c instanceof BadInputException b) throw new BadInputException(what + ": " + b.getMessage(), b);
            throw dev.infercost.ParseErrors.badInput(what, e, EXPECTED);
        } catch (IOException e) {
            throw dev.infercost.ParseErrors.badInput(what, e, EXPECTED);
        }
        if (s == null) throw new BadInputException(what + ": the file is empty (no YAML content); expected " + EXPECTED);
        s.validate(what);
        return s;
    }

    /** Checks presence, lengths and ranges. @throws BadInputException naming the field. */
    public void validate(String what) {
        if (years == null || years.isEmpty()) fail(what, "years", "missing; expected a list like [2026, 2027]");
        for (int i = 1; i < years.size(); i++)
            if (years.get(i) <= years.get(i - 1)) fail(what, "years", years + " must be strictly ascending");
        if (provider == null) fail(what, "provider", "missing");
        boolean rev = provider.revenue_usd != null, api = provider.api_queries_per_year != null;
        if (rev == api) fail(what, "provider", "give exactly one of revenue_usd or api_queries_per_year");
        perYear(what, "provider.revenue_usd", provider.revenue_usd, true);
        perYear(what, "provider.api_queries_per_year", provider.api_queries_per_year, true);
        perYear(what, "provider.unpaid_queries_per_year", provider.unpaid_queries_per_year, true);
        nonNeg(what, "provider.usd_per_m_input", provider.usd_per_m_input, true);
        nonNeg(what, "provider.usd_per_m_output", provider.usd_per_m_output, true);
        if (provider.subscriptions == null) provider.subscriptions = new ArrayList<>();
        for (int i = 0; i < provider.subscriptions.size(); i++) {
            Subscription sub = provider.subscriptions.get(i);
            String f = "provider.subscriptions[" + i + "]";
            nonNeg(what, f + ".usd_per_month", sub.usd_per_month, true);
            nonNeg(what, f + ".queries_per_subscriber_per_month", sub.queries_per_subscriber_per_month, true);
            if (sub.subscribers == null) fail(what, f + ".subscribers", "missing");
            perYear(what, f + ".subscribers", sub.subscribers, true);
        }
        if (provider.query_mix == null || provider.query_mix.isEmpty()) fail(what, "provider.query_mix", "missing; expected [{profile: chat, share: 1.0}]");
        double sum = 0;
        for (MixEntry m : provider.query_mix) {
            if (m.profile == null || m.profile.isBlank()) fail(what, "provider.query_mix", "entry without profile");
            nonNeg(what, "provider.query_mix." + m.profile + ".share", m.share, true);
            sum += m.share.value;
        }
        if (Math.abs(sum - 1) > 1e-6) fail(what, "provider.query_mix", "shares sum to " + sum + ", expected 1");
        if (revenue_share == null || revenue_share.rate == null) fail(what, "revenue_share.rate", "missing");
        perYear(what, "revenue_share.rate", revenue_share.rate, true);
        for (Quantity q : revenue_share.rate)
            if (q.value > 1) fail(what, "revenue_share.rate", q.value + " is above 1 (rates are fractions: 0.2 = 20%)");
        Cap cap = revenue_share.cap;
        if (cap != null) {
            nonNeg(what, "revenue_share.cap.amount_usd", cap.amount_usd, true);
            nonNeg(what, "revenue_share.cap.paid_before_usd", cap.paid_before_usd, false);
            if (cap.first_year != null && cap.last_year != null && cap.last_year < cap.first_year)
                fail(what, "revenue_share.cap", "last_year " + cap.last_year + " is before first_year " + cap.first_year);
        }
        if (compute == null) fail(what, "compute", "missing");
        if (compute.chip == null || compute.tier == null) fail(what, "compute", "needs chip and tier (rows of the cost table)");
        nonNeg(what, "compute.markup", compute.markup, true);
        nonNeg(what, "compute.cost_scale", compute.cost_scale, false);
        if (compute.calibrate_to != null && !(compute.calibrate_to.value < 1))
            fail(what, "compute.calibrate_to", compute.calibrate_to.value + " must be a compute margin below 1");
        perYear(what, "compute.commitment_usd", compute.commitment_usd, true);
        perYear(what, "compute.cost_decline", compute.cost_decline, true);
        if (compute.cost_decline != null) for (Quantity q : compute.cost_decline)
            if (q.value >= 1) fail(what, "compute.cost_decline", q.value + " must be below 1 (a fraction per year)");
        perYear(what, "provider.other_costs_usd", provider.other_costs_usd, true);
        nonNeg(what, "provider.price_elasticity", provider.price_elasticity, false);
        perYear(what, "cloud.custom_program_usd", cloud == null ? null : cloud.custom_program_usd, true);
        if (cloud != null && cloud.equity_stake != null) fraction(what, "cloud.equity_stake", cloud.equity_stake);
        validateShare(what, "revenue_share", revenue_share);
        if (finance != null) {
            nonNeg(what, "finance.discount_rate", finance.discount_rate, false);
            if (finance.target_provider_margin != null && !(finance.target_provider_margin.value < 1))
                fail(what, "finance.target_provider_margin", finance.target_provider_margin.value + " must be below 1");
        }
        if (deals == null) deals = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        names.add(termsName());
        for (int i = 0; i < deals.size(); i++) {
            Deal d = deals.get(i);
            String f = "deals[" + i + "]";
            if (d.name == null || d.name.isBlank()) fail(what, f + ".name", "missing");
            if (!names.add(d.name)) fail(what, f + ".name", "'" + d.name + "' is used twice (terms_name and deals need distinct names)");
            if (d.revenue_share != null) {
                if (d.revenue_share.rate == null) fail(what, f + ".revenue_share.rate", "missing");
                perYear(what, f + ".revenue_share.rate", d.revenue_share.rate, true);
                validateShare(what, f + ".revenue_share", d.revenue_share);
            }
            if (d.equity_stake != null) fraction(what, f + ".equity_stake", d.equity_stake);
            perYear(what, f + ".commitment_usd", d.commitment_usd, true);
            nonNeg(what, f + ".markup", d.markup, false);
        }
        if (cloud == null || cloud.nvidia == null || cloud.custom == null) fail(what, "cloud", "needs nvidia: and custom: silicon options");
        for (Silicon si : List.of(cloud.nvidia, cloud.custom))
            if (si.chip == null || si.tier == null) fail(what, "cloud.nvidia/custom", "each silicon option needs chip and tier");
        if (cloud.custom_share == null) fail(what, "cloud.custom_share", "missing (0 = all Nvidia)");
        perYear(what, "cloud.custom_share", cloud.custom_share, true);
        for (Quantity q : cloud.custom_share)
            if (q.value > 1) fail(what, "cloud.custom_share", q.value + " is above 1");
        if (sensitivity == null) sensitivity = new Sensitivity();
        if (sensitivity.swings == null) sensitivity.swings = new LinkedHashMap<>();
        for (Map.Entry<String, Swing> e : sensitivity.swings.entrySet()) {
            if (!Factors.INPUTS.contains(e.getKey())) fail(what, "sensitivity.swings." + e.getKey(), "unknown input; expected one of " + Factors.INPUTS);
            Swing sw = e.getValue();
            if (sw == null) fail(what, "sensitivity.swings." + e.getKey(), "empty; expected {low: L, high: H}");
            if (!(sw.low > 0) || !(sw.high > 0) || sw.low > 1 || sw.high < 1)
                fail(what, "sensitivity.swings." + e.getKey(), "low " + sw.low + " / high " + sw.high + ": expected multipliers 0 < low <= 1 <= high");
        }
        if (sensitivity.samples != null && (sensitivity.samples < 10 || sensitivity.samples > 1_000_000))
            fail(what, "sensitivity.samples", sensitivity.samples + " outside 10..1000000");
    }

    private void validateShare(String what, String f, RevenueShare rs) {
        for (Quantity q : rs.rate) if (q.value > 1) fail(what, f + ".rate", q.value + " is above 1 (rates are fractions: 0.2 = 20%)");
        if (rs.cap != null) {
            nonNeg(what, f + ".cap.amount_usd", rs.cap.amount_usd, true);
            nonNeg(what, f + ".cap.paid_before_usd", rs.cap.paid_before_usd, false);
        }
        Reverse r = rs.reverse;
        if (r == null) return;
        if (r.rate == null || r.base_usd == null) fail(what, f + ".reverse", "needs rate and base_usd");
        perYear(what, f + ".reverse.rate", r.rate, true);
        perYear(what, f + ".reverse.base_usd", r.base_usd, true);
        for (Quantity q : r.rate) if (q.value > 1) fail(what, f + ".reverse.rate", q.value + " is above 1");
        if (r.ends != null) {
            try {
                java.time.LocalDate.parse(r.ends);
            } catch (java.time.format.DateTimeParseException e) {
                fail(what, f + ".reverse.ends", "'" + r.ends + "' is not an ISO date (YYYY-MM-DD)");
            }
        }
    }

    private static void fraction(String what, String field, Quantity q) {
        if (!(q.value >= 0 && q.value <= 1)) fail(what, field, q.value + " must be a fraction in 0..1");
    }

    /** The name of the scenario's own terms. */
    public String termsName() { return terms_name == null || terms_name.isBlank() ? "scenario terms" : terms_name; }

    /** Discount rate [fraction per year]: finance.discount_rate or 0.10 (labelled assumed). */
    public Quantity discountRate() {
        return finance != null && finance.discount_rate != null ? finance.discount_rate
                : new Quantity(0.10, "fraction per year", "", "", "assumed", "default 10%/yr (no finance.discount_rate given)", null);
    }

    /** This scenario with a deal's terms in place of its own (a shallow copy; the original is unchanged). */
    public Scenario withDeal(Deal d) {
        Scenario c = new Scenario();
        c.name = name;
        c.description = description;
        c.years = years;
        c.provider = provider;
        c.sensitivity = sensitivity;
        c.finance = finance;
        c.deals = List.of();
        c.terms_name = d.name;
        c.revenue_share = d.revenue_share != null ? d.revenue_share : revenue_share;
        Compute k = new Compute();
        k.chip = compute.chip;
        k.tier = compute.tier;
        k.operating_point = compute.operating_point;
        k.markup = d.markup != null ? d.markup : compute.markup;
        k.cost_scale = compute.cost_scale;
        k.calibrate_to = compute.calibrate_to;
        k.commitment_usd = d.commitment_usd != null ? d.commitment_usd : compute.commitment_usd;
        k.cost_decline = compute.cost_decline;
        c.compute = k;
        Cloud cl = new Cloud();
        cl.name = cloud.name;
        cl.nvidia = cloud.nvidia;
        cl.custom = cloud.custom;
        cl.custom_share = cloud.custom_share;
        cl.custom_program_usd = cloud.custom_program_usd;
        cl.equity_stake = d.equity_stake != null ? d.equity_stake : cloud.equity_stake;
        c.cloud = cl;
        return c;
    }

    private void perYear(String what, String field, List<Quantity> list, boolean nonNegative) {
        if (list == null) return;
        if (list.size() != 1 && list.size() != years.size())
            fail(what, field, "has " + list.size() + " values for " + years.size() + " years " + years + "; give one per year or a single value");
        for (Quantity q : list) {
            if (q == null) fail(what, field, "has an empty entry");
            if (nonNegative && (q.value < 0 || Double.isNaN(q.value))) fail(what, field, q.value + " is negative");
        }
    }

    private static void nonNeg(String what, String field, Quantity q, boolean required) {
        if (q == null) {
            if (required) fail(what, field, "missing");
            return;
        }
        if (!(q.value >= 0) || Double.isInfinite(q.value)) fail(what, field, q.value + " must be a finite number >= 0");
    }

    private static void fail(String what, String field, String msg) {
        throw new BadInputException(what + ": " + field + ": " + msg);
    }

    /** Value of a per-year list for year index i (a single entry applies to every year). */
    static Quantity at(List<Quantity> list, int i) { return list.size() == 1 ? list.get(0) : list.get(i); }
}
