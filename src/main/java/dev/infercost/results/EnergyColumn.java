package dev.infercost.results;

/** Columns of energy.csv: one row per energy window (benchmark or serving point, idle baseline). Units are in square brackets in each header. */
public enum EnergyColumn implements Column {
    RUN_ID("run_id"),
    WINDOW("window"),
    METER("meter"),
    DEVICE("device"),
    BOUNDARY("boundary"), // boundary: gpu | cpu-package | node | facility
    BASIS("basis"), // measured | estimated
    BASIS_DETAIL("basis_detail"),
    DURATION("duration [s]"),
    ENERGY("energy [J]"),
    AVG_POWER("avg_power [W]"),
    IDLE_POWER("idle_power [W]"),
    ENERGY_ABOVE_IDLE("energy_above_idle [J]"),
    SAMPLES("samples"),
    VALID("valid"),
    REASONS("reasons"),
    ACCURACY_VERDICT("accuracy_verdict"); // accuracy gate of the engine measured in this window: pass | fail | not-checked; empty for idle baselines

    private final String header;

    EnergyColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
