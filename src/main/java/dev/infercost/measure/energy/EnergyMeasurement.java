package dev.infercost.measure.energy;

import dev.infercost.results.EnergyColumn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The energy of one window (a benchmark iteration, a serving load point, an idle baseline), with its
 * validity verdict. Reasons starting with {@code "note: "} are informational; any other reason makes the
 * figure invalid.
 *
 * @param meter            meter name (nvml, rapl, nvidia-smi, estimate)
 * @param device           device measured
 * @param boundary         boundary label (gpu, cpu-package, node, facility)
 * @param estimated        true for estimates (never a measurement)
 * @param basisDetail      how the figure was obtained
 * @param durationS        window length, s
 * @param energyJ          energy over the window, J (the counter where one exists, else integrated power;
 *                         multiplied by PUE for the facility boundary)
 * @param counterJ         counter delta, J (NaN without a counter)
 * @param integratedJ      trapezoidal integral of the power readings, J (NaN without power readings)
 * @param idlePowerW       idle baseline power, W (NaN when no baseline was measured)
 * @param energyAboveIdleJ energyJ - idlePowerW x durationS, J (NaN without a baseline)
 * @param samples          readings taken in the window
 * @param valid            no invalidating reason
 * @param reasons          invalidating reasons and notes
 */
public record EnergyMeasurement(String meter, String device, String boundary, boolean estimated, String basisDetail,
                                double durationS, double energyJ, double counterJ, double integratedJ,
                                double idlePowerW, double energyAboveIdleJ, int samples,
                                boolean valid, List<String> reasons) {

    /** Average power over the window, W. */
    public double avgPowerW() { return durationS > 0 ? energyJ / durationS : Double.NaN; }

    /** "measured" or "estimated", the value of the basis / energy_basis columns. */
    public String basis() { return estimated ? "estimated" : "measured"; }

    /** Reasons joined with "; " for a CSV cell (empty when there are none). */
    public String reasonsText() { return String.join("; ", reasons); }

    /** One energy.csv row (columns of {@link dev.infercost.results.ResultSchemas#ENERGY_COLUMNS}). */
    public Map<String, Object> energyRow(String runId, String window) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(EnergyColumn.RUN_ID.header(), runId);
        r.put(EnergyColumn.WINDOW.header(), window);
        r.put(EnergyColumn.METER.header(), meter);
        r.put(EnergyColumn.DEVICE.header(), device);
        r.put(EnergyColumn.BOUNDARY.header(), boundary);
        r.put(EnergyColumn.BASIS.header(), basis());
        r.put(EnergyColumn.BASIS_DETAIL.header(), basisDetail);
        r.put(EnergyColumn.DURATION.header(), durationS);
        r.put(EnergyColumn.ENERGY.header(), energyJ);
        r.put(EnergyColumn.AVG_POWER.header(), avgPowerW());
        r.put(EnergyColumn.IDLE_POWER.header(), idlePowerW);
        r.put(EnergyColumn.ENERGY_ABOVE_IDLE.header(), energyAboveIdleJ);
        r.put(EnergyColumn.SAMPLES.header(), samples);
        r.put(EnergyColumn.VALID.header(), valid);
        r.put(EnergyColumn.REASONS.header(), reasonsText());
        return r;
    }
}
