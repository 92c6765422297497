package dev.infercost.measure.loadgen;

import dev.infercost.workload.RequestSpec;

import java.util.List;

/**
 * What a load point runs against: infercost's own continuous-batching scheduler over an engine
 * ({@link ServingRunner}) or an OpenAI-compatible HTTP server ({@link EndpointRunner}). Both take the same
 * workload pool and {@link ServingRunner.Plan} and return the same {@link ServingRunner.Result}, so every
 * scenario, metric and CSV column is shared.
 */
public interface LoadTarget {
    /** Runs one point with the target's default cut-off. */
    ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan);

    /**
     * Runs one point over {@code pool} (request i uses pool[i mod size]); work still running
     * {@code maxDurationNanos} after the start is cut off and reported as incomplete.
     */
    ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan, long maxDurationNanos);
}
