import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, RULES } from '../../src/policy/index.ts';
import { reportClaims, runOnFixture } from './helpers/on-disk.ts';

// scripts/bundle.mjs drops the policy's prose (rules' title, rationale and
// unobservable, features' title and why: only its docs read them) from the
// doctor's bundles; what the doctor reports must not change.

const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const scratch = mkdtempSync(join(tmpdir(), 'capsem-doctor-bundle-test-'));
const cleanup: (() => void)[] = [() => rmSync(scratch, { recursive: true, force: true })];
const stripped = join(scratch, 'stripped');
const kept = join(scratch, 'kept');
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

beforeAll(() => {
  const script =
    "import { buildDoctor } from './scripts/bundle.mjs';" +
    `await buildDoctor(${JSON.stringify(stripped)}); await buildDoctor(${JSON.stringify(kept)}, { keepProse: true });`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
}, 120_000);
afterAll(() => cleanup.forEach((f) => f()));

/**
 * The start of each rationale, unobservable and why, where the minifier writes it verbatim (no quote or
 * escape in it); titles are too short to be told from other text ("FORTIFY_SOURCE").
 */
const prose = [...RULES.flatMap((r) => [r.rationale, r.unobservable ?? '']), ...FEATURES.map((f) => f.why)]
  .map((t) => t.slice(0, 40))
  .filter((t) => t.length >= 30 && !/["'`\\\n$]/.test(t));

describe('the doctor bundles', () => {
  it('carry none of the policy prose, which the unstripped bundle has', () => {
    expect(prose.length).toBeGreaterThan(RULES.length);
    for (const f of ['capsem-doctor.js', 'capsem-doctor.qjs.js']) {
      const withProse = read(kept, f);
      const without = read(stripped, f);
      expect(prose.filter((t) => !withProse.includes(t)), f).toEqual([]);
      expect(prose.filter((t) => without.includes(t)), f).toEqual([]);
      expect(without.length, f).toBeLessThan(withProse.length * 0.8);
    }
  });

  it('report the same, with and without the prose', async () => {
    const run = async (dir: string) => {
      const r = await runOnFixture(arch, [process.execPath, join(dir, 'capsem-doctor.js')], cleanup, ['--json']);
      return { status: r.status, stderr: r.stderr, claims: reportClaims(r.stdout), skipped: JSON.parse(r.stdout).skipped };
    };
    const [a, b] = [await run(stripped), await run(kept)];
    expect(a).toEqual(b);
    expect(a.claims.checks.length).toBeGreaterThan(40);
    expect(a.claims.summary.passed).toBeGreaterThan(30);
  });
});
