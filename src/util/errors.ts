// Exit codes are decided here, from the error's class, and nowhere else:
// 0 ok, 1 a rule or check failed, 2 usage / input / environment, 130 interrupted
// (143 when the interruption was SIGTERM: 128 + the signal's number, as a shell reports it).

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

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
  if (err instanceof UsageError || err instanceof InputError || err instanceof EnvironmentError) {
    return EXIT.usage;
  }
  return EXIT.failed;
}

/** One line for stderr; a stack only for bugs, and only with CAPSEM_DEBUG=1. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return `capsem-kernel: ${err.message} (see --help)`;
  if (err instanceof Error) {
    const known =
      err instanceof InputError || err instanceof EnvironmentError || err instanceof InterruptedError;
    if (!known && process.env.CAPSEM_DEBUG === '1' && err.stack) return err.stack;
    return `capsem-kernel: ${err.message}`;
  }
  return `capsem-kernel: ${String(err)}`;
}
