package dev.infercost.cli;

import picocli.CommandLine.Option;

/**
 * Picocli mixin: how the cost stage prices a run (run, cost): query profiles, the measured device's price, the
 * model shape to project. The defaults live here once.
 */
public final class PricingOptions {
    /** Default query profiles: the default revenue scenario's query mix. */
    public static final String DEFAULT_PROFILES = "chat,rag,reasoning";

    @Option(names = "--profile", paramLabel = "NAME", defaultValue = DEFAULT_PROFILES,
            description = "query profile(s), comma-separated (all go into cost.csv; the first is printed): chat (1000/500), rag (8000/300), "
                    + "reasoning (1000/8000), summarise (8000/1000), inferencex-1k1k, or ISL/OSL (default: ${DEFAULT-VALUE})")
    String profile = DEFAULT_PROFILES;

    @Option(names = "--usd-per-hour", paramLabel = "X", description = "$/hour of the measured device (default: the catalog's labelled assumption)")
    Double usdPerHour;

    @Option(names = "--project-model", paramLabel = "NAME", description = "preset shape to project across the catalog, e.g. llama-3.1-8b (default: the measured model)")
    String projectModel;

    @Option(names = "--price-failed-accuracy", description = "price measured points whose accuracy gate failed anyway (default: they are "
            + "marked failed and left out of cost and revenue); every such row is labelled and the run's manifest records the override")
    boolean priceFailedAccuracy;

    public boolean priceFailedAccuracy() { return priceFailedAccuracy; }

    public String profile() { return profile; }

    public Double usdPerHour() { return usdPerHour; }

    public String projectModel() { return projectModel; }
}
