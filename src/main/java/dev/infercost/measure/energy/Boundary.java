package dev.infercost.measure.energy;

/**
 * What an energy figure covers. {@code gpu}: the board as NVML reports it; {@code cpu-package}: RAPL package
 * domains (cores + uncore, no DRAM); {@code node}: a whole server; {@code facility}: node energy x PUE
 * (power usage effectiveness, The Green Grid White Paper #49).
 */
public enum Boundary {
    GPU("gpu"), CPU_PACKAGE("cpu-package"), NODE("node"), FACILITY("facility");

    private final String label;

    Boundary(String label) { this.label = label; }

    /** The value written to the {@code boundary} / {@code energy_boundary} columns. */
    public String label() { return label; }
}
