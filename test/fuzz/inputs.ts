// Shared by the fuzz tests and bench/fuzz.ts: the real inputs the mutations
// start from, the generators, and the contract every parser of untrusted bytes
// keeps: a value, or our input error (one line, exit 2) — never another exception.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readDotConfig } from '../../src/kconfig/dotconfig.ts';
import { InputError, UsageError } from '../../src/util/errors.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

/** CI runs are reproducible: one seed; bench/fuzz.ts picks its own and prints it. */
export const SEED = 18;

/** Calls `parse`; returns 'value' or 'input-error'; rethrows anything else (a bug). */
export function valueOrInputError(parse: () => unknown): 'value' | 'input-error' {
  try {
    parse();
    return 'value';
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      if (e.message.includes('\n')) throw new Error(`input error is not one line: ${JSON.stringify(e.message)}`);
      return 'input-error';
    }
    throw e;
  }
}

/** Debian's real amd64 config (linux-config-6.12, installed by set-up), as text. */
export function debianConfigText(): string {
  const dir = '/usr/src/linux-config-6.12';
  const file = readdirSync(dir).find((f) => f.startsWith('config.amd64_none_amd64'));
  if (!file) throw new Error(`no config.amd64_none_amd64* in ${dir} (npm run setup installs linux-config-6.12)`);
  const config = readDotConfig(join(dir, file));
  return [...config.values].map(([k, v]) => (v === 'n' ? `# CONFIG_${k} is not set` : `CONFIG_${k}=${v}`)).join('\n') + '\n';
}

/** The repo's generated fragments (config/kernel/defconfig.*), as text. */
export function generatedFragments(): { file: string; text: string }[] {
  return ['defconfig.x86_64', 'defconfig.arm64'].map((f) => ({ file: f, text: readFileSync(join('config/kernel', f), 'utf8') }));
}

/** The unpacked 6.12 tree (test set-up prepares it); real Kconfig files that parse on their own. */
export function kernelTree(): string {
  const tree = kernelSource('6.12');
  if (!tree) throw new Error('no unpacked Linux 6.12 tree in the cache (the test set-up prepares it)');
  return tree;
}
export const REAL_KCONFIGS = ['mm/Kconfig', 'kernel/Kconfig.preempt', 'security/Kconfig.hardening', 'lib/Kconfig', 'kernel/power/Kconfig'];

/** Line-level and byte-level damage to a real text file. */
export function mutated(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  const noise = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('CONFIG_', 'CONFIG_X="', '"', '\\', '# CONFIG_X is not', '=', '$(', '$(shell,', ')', 'if', 'endif', 'menu', 'choice', 'help', '\t', '\r', '\0', 'config', 'source "x"', '---help---', 'depends on (', '&&', '||'),
  );
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'duplicate', 'insert', 'splice', 'truncate'), noise });
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let out = lines.slice();
    for (const e of edits) {
      const i = e.at % Math.max(out.length, 1);
      if (e.kind === 'delete') out.splice(i, 1);
      else if (e.kind === 'duplicate') out.splice(i, 0, out[i] ?? '');
      else if (e.kind === 'insert') out.splice(i, 0, e.noise);
      else if (e.kind === 'truncate') out = out.slice(0, i);
      else {
        const line = out[i] ?? '';
        const at = e.at % (line.length + 1);
        out[i] = line.slice(0, at) + e.noise + line.slice(at + 1);
      }
    }
    return out.join('\n');
  });
}

/** Arbitrary text: any UTF-16, binary-ish strings, and strings built from the format's own pieces. */
export function arbitraryText(pieces: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
    fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 60 }).map((a) => a.join('')),
  );
}
