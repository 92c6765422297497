package dev.infercost.hardware;

/**
 * A published or user-supplied price for one accelerator-hour.
 *
 * @param tier     cloud-on-demand | cloud-reserved | neocloud | inferencex-owner | inferencex-neocloud |
 *                 inferencex-3yr | market-rental | user (owner-tco is computed, see {@link Tco})
 * @param metric   the catalog metric it came from (cloud_on_demand, tco_neocloud ...)
 * @param provider who quotes it (e.g. "AWS p5.48xlarge us-east-1")
 * @param price    USD per accelerator-hour with provenance
 */
public record PriceQuote(String tier, String metric, String provider, CatalogValue price) {

    /** Providers counted as hyperscalers for the cloud-on-demand tier; other on-demand quotes are "neocloud". */
    static boolean hyperscaler(String provider) {
        String p = provider.toLowerCase(java.util.Locale.ROOT);
        return p.startsWith("aws") || p.startsWith("azure") || p.startsWith("gcp") || p.startsWith("google cloud")
                || p.contains("oracle") || p.startsWith("hyperscalers");
    }

    /** Maps a catalog price metric (+ provider) to a tier, or null if the metric is not a per-hour price. */
    static String tierOf(String metric, String provider) {
        return switch (metric) {
            case "cloud_on_demand", "cloud_on_demand_range" -> hyperscaler(provider) ? "cloud-on-demand" : "neocloud";
            case "cloud_reserved", "cloud_reserved_3yr", "cloud_capacity_block" -> "cloud-reserved";
            case "tco_owner_hyperscaler" -> "inferencex-owner";
            case "tco_neocloud" -> "inferencex-neocloud";
            case "rental_3yr" -> "inferencex-3yr";
            case "rental_index_1yr", "rental_reference" -> "market-rental";
            case "user_usd_per_hour" -> "user";
            default -> null;
        };
    }
}
