/** Every default and threshold in one place, each with its unit. */

/** Where suites write results files unless --out says otherwise. */
export const DEFAULT_RESULTS_DIR = "results";

/**
 * Core-clock estimate for the environment block: rounds taken (each runs every clock
 * chain once), and steps per chain run (about 0.5 ms at 4 GHz: short, so that on a
 * busy machine most runs fit between two preemptions; the slow ones are dropped).
 */
export const CLOCK_SAMPLES = 41;
export const CLOCK_SAMPLES_QUICK = 15;
export const CLOCK_STEPS_PER_SAMPLE = 2_000_000;
/** A core-clock estimate outside this range (Hz) means the chains did not measure cycles. */
export const CLOCK_PLAUSIBLE_HZ = [0.2e9, 10e9] as const;
/**
 * Two clock chains whose medians differ by more than this (relative) disagree: one of
 * them does not run one step per cycle on this core.
 */
export const CLOCK_CHAIN_AGREEMENT = 0.03;
/**
 * A clock-chain run slower than the fastest of its set by more than this (relative)
 * was disturbed (preempted, interrupted, still ramping up) and is left out: nothing
 * makes a run read faster than the clock.
 */
export const CLOCK_DISTURBED = 0.03;
/**
 * Steps of each clock chain run beside a probe's sample (FMA) or working-set point
 * (memory latency, TLB): about 50 us at 4 GHz, long next to the clock read's overhead
 * (tens of ns), short enough that a preemption rarely lands in it.
 */
export const CLOCK_STEPS_BESIDE = 200_000;
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
