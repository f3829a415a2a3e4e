// Exit codes are decided here, from the error's class, and nowhere else:
// 0 ok, 1 a rule, check or build step failed (the tool worked; the answer is no),
// 2 usage / input / environment, 130 interrupted (143 when the interruption was
// SIGTERM: 128 + the signal's number, as a shell reports it), 70 anything else:
// a bug in capsem-kernel (EX_SOFTWARE), reported with its stack — never 1, which
// scripts read as "a rule failed".

export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 70, interrupted: 130, terminated: 143 } as const;

/** A rule, check or build step judged the input and it did not pass: exit 1. */
export class CheckFailedError extends Error {
  override name = 'CheckFailedError';
}

/** Bad command line: unknown flag, bad value, missing argument. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input file: always says which file and, where it applies, which line. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
  }
}

/** The machine lacks something we need (a tool, a package, permissions, a usable /dev/kvm). */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** The user pressed Ctrl-C (or we got SIGTERM); whatever was half-done was cleaned up. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof InterruptedError) return EXIT.interrupted;
  if (err instanceof UsageError || err instanceof InputError || err instanceof EnvironmentError) return EXIT.usage;
  if (err instanceof CheckFailedError) return EXIT.failed;
  return EXIT.bug;
}

/** One line for stderr for what the user can act on; a bug gets its stack and a request to report it. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return `capsem-kernel: ${err.message} (see --help)`;
  if (exitCodeFor(err) !== EXIT.bug) return `capsem-kernel: ${(err as Error).message}`;
  const trace = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return `capsem-kernel: internal error (a bug in capsem-kernel, exit ${EXIT.bug}); please report it with the command line and this trace:\n${trace}`;
}
