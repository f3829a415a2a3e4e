import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Data flows one way: cli -> stages (build, guest, audit, doctor) -> kconfig -> policy.
// The doctor imports only the policy and plain helpers of util so that it bundles to one
// file for the guest, for either runtime (node, capsem-doctor-rt): the policy imports no
// node: module, and each util file the doctor imports imports nothing at all.
const ALLOWED: Record<string, readonly string[]> = {
  policy: [],
  util: [],
  kconfig: ['policy', 'util'],
  audit: ['policy', 'kconfig', 'util'],
  build: ['policy', 'kconfig', 'audit', 'util'],
  doctor: ['policy', 'util'],
  guest: ['policy', 'kconfig', 'doctor', 'util'],
  prove: ['policy', 'kconfig', 'build', 'guest', 'util'],
  cli: ['policy', 'kconfig', 'audit', 'build', 'doctor', 'guest', 'prove', 'util'],
};

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}

describe('architecture', () => {
  it('every folder under src/ is in the table', () => {
    const folders = readdirSync('src').filter((f) => statSync(join('src', f)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('imports follow the allowed direction', () => {
    const violations: string[] = [];
    for (const file of tsFiles('src')) {
      const from = relative('src', file).split('/')[0]!;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative('src', join(file, '..', m[1]!)).split('/')[0]!;
        if (target !== from && !ALLOWED[from]!.includes(target)) {
          violations.push(`${file}: imports ${m[1]} (${from} -> ${target})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('the policy imports no node: module (it runs in the guest doctor, on QuickJS too)', () => {
    const offenders = [...tsFiles('src/policy')].filter((f) => /(?:from|import)\s*\(?\s*'node:/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('every util file the doctor imports is dependency-free (no import at all)', () => {
    const used = new Set<string>();
    for (const file of tsFiles('src/doctor')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative('.', join(file, '..', m[1]!));
        if (target.startsWith('src/util/')) used.add(target);
      }
    }
    expect(used.size).toBeGreaterThan(0);
    const withImports = [...used].filter((f) => /^\s*import\s|^\s*export\s[^\n]*\sfrom\s/m.test(readFileSync(f, 'utf8')));
    expect(withImports).toEqual([]);
  });
});
