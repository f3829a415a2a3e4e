import { parseArgs } from 'node:util';
import { UsageError } from '../util/errors.ts';

// A command is data: one args table drives parsing, --help and the parsed type,
// so help cannot drift from behaviour.

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress lines may redraw. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on Ctrl-C / SIGTERM; long stages must stop and clean up. */
  signal: AbortSignal;
}

interface ArgBase {
  description: string;
  short?: string;
}
export interface StringArg extends ArgBase {
  type: 'string';
  valueHint?: string;
  choices?: readonly string[];
  default?: string;
  /** May be given more than once; parsed as a list (empty when not given). */
  multiple?: true;
}
export interface BooleanArg extends ArgBase {
  type: 'boolean';
}
export type ArgSpec = StringArg | BooleanArg;
export type ArgsSpec = Record<string, ArgSpec>;

/** A string option's value type: the union of its `choices` when it has them (parsing checks them). */
type StringValue<S> = S extends { choices: readonly (infer C extends string)[] } ? C : string;

export type ParsedArgs<A extends ArgsSpec> = {
  [K in keyof A]: A[K] extends BooleanArg
    ? boolean
    : A[K] extends { multiple: true }
      ? StringValue<A[K]>[]
      : A[K] extends { default: string }
      ? StringValue<A[K]>
      : StringValue<A[K]> | undefined;
};

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export interface CommandContext<A extends ArgsSpec> {
  args: ParsedArgs<A>;
  positionals: string[];
  io: IO;
}

export interface Command<A extends ArgsSpec = ArgsSpec> {
  name: string;
  /** One line, shown in the command list. */
  summary: string;
  /** Paragraphs shown by --help: what it does and why. */
  description?: string;
  args: A;
  positionals?: readonly PositionalSpec[];
  examples?: readonly string[];
  /** Returns the exit code: 0 ok, 1 a rule or check failed. Throw for usage/input/environment errors. */
  run(ctx: CommandContext<A>): Promise<number> | number;
}

export function defineCommand<const A extends ArgsSpec>(cmd: Command<A>): Command<A> {
  return cmd;
}

export function parseCommandArgs<A extends ArgsSpec>(
  cmd: Command<A>,
  argv: string[],
): { args: ParsedArgs<A>; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(cmd.args)) {
    const multiple = spec.type === 'string' && spec.multiple === true;
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(multiple ? { multiple } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${cmd.name}: ${(e as Error).message.split('\n')[0]}`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return { args: {} as ParsedArgs<A>, positionals: [], help: true };
  const out: Record<string, string | string[] | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(cmd.args)) {
    const v = values[name];
    if (spec.type === 'boolean') {
      out[name] = v === true;
      continue;
    }
    const one = (v as string | undefined) ?? spec.default;
    const given = spec.multiple ? ((v as string[] | undefined) ?? (spec.default !== undefined ? [spec.default] : [])) : one !== undefined ? [one] : [];
    for (const s of given) {
      if (spec.choices && !spec.choices.includes(s)) {
        throw new UsageError(`${cmd.name}: --${name} must be one of ${spec.choices.join(', ')} (got '${s}')`);
      }
    }
    out[name] = spec.multiple ? given : one;
  }
  const positionals = parsed.positionals;
  const specs = cmd.positionals ?? [];
  const required = specs.filter((p) => p.required).length;
  if (positionals.length < required) {
    throw new UsageError(`${cmd.name}: missing ${specs[positionals.length]!.name}`);
  }
  if (positionals.length > specs.length) {
    throw new UsageError(`${cmd.name}: unexpected argument '${positionals[specs.length]}'`);
  }
  return { args: out as ParsedArgs<A>, positionals, help: false };
}

export function renderHelp(cmd: Command<ArgsSpec>, prog = 'capsem-kernel'): string {
  const pos = (cmd.positionals ?? []).map((p) => (p.required ? ` <${p.name}>` : ` [${p.name}]`)).join('');
  const lines = [`Usage: ${prog} ${cmd.name}${pos} [options]`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description.trim());
  if (cmd.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
  }
  lines.push('', 'Options:');
  const rows: [string, string][] = Object.entries(cmd.args).map(([name, spec]) => {
    const flag =
      (spec.short ? `-${spec.short}, ` : '') +
      `--${name}` +
      (spec.type === 'string' ? ` ${spec.valueHint ?? (spec.choices ? spec.choices.join('|') : 'VALUE')}` : '');
    const dflt = spec.type === 'string' && spec.default !== undefined ? ` (default: ${spec.default})` : '';
    const repeat = spec.type === 'string' && spec.multiple ? ' (repeatable)' : '';
    return [flag, spec.description + repeat + dflt];
  });
  rows.push(['-h, --help', 'Show this help']);
  for (const [flag, desc] of rows) lines.push(`  ${flag.padEnd(32)} ${desc}`);
  if (cmd.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of cmd.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n') + '\n';
}
