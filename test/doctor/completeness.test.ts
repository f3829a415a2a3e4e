import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARCHS, CHECKS, KERNELS, RULES, TOOLCHAINS, resolveRule } from '../../src/policy/index.ts';
import { SHARED_REASONS } from '../../src/doctor/define.ts';
import { NEEDS } from '../../src/doctor/needs.ts';
import { ALL_CHECKS, REGISTRY } from '../../src/doctor/registry.ts';

// Like ESLint's checkRuleFiles: a check without a file, a registry entry, a
// test file, or a policy rule to verify fails here.
const checkFiles = readdirSync('src/doctor/checks')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const TARGETS = ARCHS.flatMap((arch) => KERNELS.flatMap((kernel) => TOOLCHAINS.map((toolchain) => ({ arch, kernel, toolchain }))));

describe('doctor completeness', () => {
  it('the registry is exactly the files in src/doctor/checks/', () => {
    expect(Object.keys(REGISTRY).sort()).toEqual(checkFiles);
  });

  it('the registry is sorted and each entry is its own file\'s check', () => {
    const keys = Object.keys(REGISTRY);
    expect(keys).toEqual([...keys].sort());
    for (const [name, check] of Object.entries(REGISTRY)) expect(check.name).toBe(name);
  });

  it('every check named by the policy is implemented, and nothing else', () => {
    expect(checkFiles).toEqual(CHECKS.map((c) => c.name).sort());
    expect(ALL_CHECKS.map((c) => c.name)).toEqual(CHECKS.map((c) => c.name));
  });

  it('every check has a test file', () => {
    const missing = checkFiles.filter((n) => !existsSync(`test/doctor/checks/${n}.test.ts`));
    expect(missing).toEqual([]);
  });

  it('every check verifies at least one policy rule', () => {
    expect(ALL_CHECKS.filter((c) => c.rules.length === 0).map((c) => c.name)).toEqual([]);
  });

  it('every rule observable at runtime is named by a check that exists', () => {
    const names = new Set<string>(CHECKS.map((c) => c.name));
    const problems: string[] = [];
    for (const r of RULES) {
      const checks = (r.checks ?? []) as readonly string[];
      // A rule enforced on no target (waived, or its symbol in no supported kernel) has nothing to observe.
      const neverEnforced = TARGETS.every((t) => resolveRule(r, t).status !== 'enforced');
      if (checks.length === 0 && !r.proofs?.length && !r.unobservable && !neverEnforced) {
        problems.push(`${r.id}: no check and no reason it is unobservable`);
      }
      for (const c of checks) if (!names.has(c)) problems.push(`${r.id}: names unknown check ${c}`);
    }
    expect(problems).toEqual([]);
  });

  it('reason ids are kebab-case and never shadow shared or need reasons', () => {
    const reserved = new Set([...Object.keys(SHARED_REASONS), ...Object.values(NEEDS).map((n) => n.reason)]);
    for (const c of ALL_CHECKS) {
      for (const r of Object.keys(c.reasons)) {
        expect(r, c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(reserved.has(r), `${c.name}: ${r} is reserved`).toBe(false);
      }
    }
  });
});
