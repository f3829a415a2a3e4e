// node:util for the doctor's QuickJS bundle: parseArgs for string and boolean
// options, strict, no positionals (what cli.ts asks), with Node's error wording.

interface Option {
  type: 'string' | 'boolean';
}

export function parseArgs<T extends Record<string, Option>>(config: { args: string[]; options: T; strict?: boolean; allowPositionals?: boolean }) {
  const values: Record<string, string | boolean> = {};
  const { args, options } = config;
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
  return { values: values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }, positionals: [] as string[] };
}
