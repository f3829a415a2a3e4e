// Long options of a command line that takes no positional argument: `--name`,
// `--name VALUE`, `--name=VALUE`, strict. Dependency-free, so the guest doctor
// parses its command line with it on either runtime (node, capsem-doctor-rt);
// messages are node:util parseArgs's, which the CLI's own parser uses.

export interface FlagSpec {
  type: 'string' | 'boolean';
}

export type FlagValues<T extends Record<string, FlagSpec>> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/** Throws a TypeError (one line, node's wording) on an unknown option, a missing value or a positional argument. */
export function parseFlags<T extends Record<string, FlagSpec>>(args: readonly string[], options: T): FlagValues<T> {
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      throw new TypeError(`Unexpected argument '${arg}'. This command does not take positional arguments`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const opt = Object.hasOwn(options, name) ? options[name] : undefined;
    if (!opt) throw new TypeError(`Unknown option '--${name}'`);
    if (opt.type === 'boolean') {
      if (eq >= 0) throw new TypeError(`Option '--${name}' does not take an argument`);
      values[name] = true;
    } else if (eq >= 0) {
      values[name] = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) throw new TypeError(`Option '--${name} <value>' argument missing`);
      values[name] = next;
      i++;
    }
  }
  return values as FlagValues<T>;
}
