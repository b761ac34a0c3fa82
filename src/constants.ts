/** Every default and threshold in one place, each with its unit. */

/** Where suites write results files unless --out says otherwise. */
export const DEFAULT_RESULTS_DIR = "results";

/** Core-clock estimate: samples taken, and integer adds per sample (about 10 ms at 4 GHz). */
export const CLOCK_SAMPLES = 11;
export const CLOCK_SAMPLES_QUICK = 5;
export const CLOCK_ADDS_PER_SAMPLE = 40_000_000;
/** A core-clock estimate outside this range (Hz) means the add chain did not measure cycles. */
export const CLOCK_PLAUSIBLE_HZ = [0.2e9, 10e9] as const;
/** How long to measure the TSC rate against the monotonic clock (ns). */
export const REF_COUNTER_CALIBRATION_NS = 50_000_000;

/** 1-minute load average per logical CPU above which other work competes for the cores. */
export const NOISY_LOAD_PER_CPU = 0.25;

/** A difference counts as significant when the Mann-Whitney p-value is below this. */
export const SIGNIFICANCE_ALPHA = 0.05;
/** `armbench compare`: slowdown (fraction) that counts as a regression unless --threshold says otherwise. */
export const REGRESSION_THRESHOLD = 0.05;
/** Where `armbench report` and `armbench run` write the HTML page unless told otherwise. */
export const DEFAULT_REPORT_FILE = "reports/out/report.html";
