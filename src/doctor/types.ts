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

export interface DoctorReport {
  schema: 'capsem-doctor/1';
  healthy: boolean;
  arch: string;
  kernelRelease: string;
  checks: CheckResult[];
  summary: { passed: number; failed: number; errors: number };
  ms: number;
  /** Checks not run on this target: every rule they verify is waived or does not apply (omitted when none). */
  skipped?: { name: string; reason: string }[];
  /** The init's stage timings (`capsem-doctor --timings FILE`), in the order written. */
  bootTimings?: BootTiming[];
}
