// The doctor's result shape. The host (src/guest) validates exactly this shape
// when it arrives over the result channel; keep it small and versioned.

export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckResult {
  name: string;
  /** Policy rule ids this check verifies. */
  rules: string[];
  status: CheckStatus;
  /** What was read and what it said: paths, values, errnos. Enough to judge without rerunning. */
  evidence: string[];
  /** A stable reason id for non-pass results (e.g. 'proc-not-procfs'). */
  reason?: string;
  ms: number;
}

/** One line of the init's timings file: a stage and the milliseconds since boot when it was reached. */
export interface BootTiming {
  stage: string;
  ms: number;
}

/** Bumped with the report's shape: the host accepts exactly this one. */
export const REPORT_SCHEMA = 'capsem-doctor/2';

/** What binds a verdict to one boot of one kernel: the host compares each with what it booted. */
export interface BootFacts {
  /** The `capsem.nonce` the host put on this boot's command line (null when there was none). */
  nonce: string | null;
  /** /proc/cmdline as the kernel kept it. */
  cmdline: string;
  /** uname -v (/proc/sys/kernel/version). */
  kernelVersion: string;
  /** /proc/sys/kernel/random/boot_id. */
  bootId: string;
  /** The target the doctor judged waivers against (arch, kernel version, toolchain). */
  target: { arch: string; kernel: string; toolchain: string };
}

export interface DoctorReport {
  schema: typeof REPORT_SCHEMA;
  healthy: boolean;
  arch: string;
  /** uname -r: the build names its config digest here (`6.12.117-capsem-<digest>`). */
  kernelRelease: string;
  boot: BootFacts;
  checks: CheckResult[];
  summary: { passed: number; failed: number; errors: number };
  ms: number;
  /** Checks not run on this target: every rule they verify is waived or does not apply (omitted when none). */
  skipped?: { name: string; reason: string }[];
  /** The init's stage timings (`capsem-doctor --timings FILE`), in the order written. */
  bootTimings?: BootTiming[];
}
