// One runner for every check's cases, in the manner of ESLint's RuleTester:
// a check's test file is data (pass, fail and error cases, each a change to
// the healthy guest); this file turns them into tests and refuses a suite
// that could not show the check failing. Besides the listed cases, every
// need of the check is broken in turn and the check must then be an error.

import { describe, expect, it } from 'vitest';
import type { Arch } from '../../../src/policy/index.ts';
import { type Check, SHARED_REASONS } from '../../../src/doctor/define.ts';
import { NEEDS, type NeedId, needClosure } from '../../../src/doctor/needs.ts';
import { runDoctor } from '../../../src/doctor/runner.ts';
import type { CheckResult } from '../../../src/doctor/types.ts';
import { type FixturePatch, fakeEnv } from './fake-guest.ts';
import { DOCTOR_PID, EXT4_MAGIC, guestWith, selfStatus } from './healthy-guest.ts';

export interface PassCase {
  name: string;
  patch?: FixturePatch;
  arch?: Arch;
}

export interface NonPassCase extends PassCase {
  /** The reason id the check must report. */
  reason: string;
  /** Text that must appear in one evidence line. */
  evidence?: string;
}

export interface CheckCases {
  pass: readonly PassCase[];
  fail: readonly NonPassCase[];
  error: readonly NonPassCase[];
}

/** How to break each need, as a change to the healthy guest. */
export const BREAK_NEED: Record<NeedId, FixturePatch> = {
  procfs: { statfs: { '/proc': EXT4_MAGIC } },
  self: { files: { [`/proc/${DOCTOR_PID}/status`]: selfStatus(DOCTOR_PID, { seccomp: '2' }) } },
  sysfs: { statfs: { '/sys': EXT4_MAGIC } },
  devtmpfs: { statfs: { '/dev': EXT4_MAGIC } },
  probe: { getpid: 1 },
  exec: { exec: { native: { kind: 'refused', errno: 13 } } },
};

export function runCheck(check: Check, patch: FixturePatch = {}, arch: Arch = 'x86_64'): CheckResult {
  const report = runDoctor(fakeEnv(guestWith(patch, arch)), [check]);
  expect(report.skipped ?? [], `${check.name} was skipped`).toEqual([]);
  return report.checks[0]!;
}

function allowedReasons(check: Check): Set<string> {
  return new Set([
    ...Object.keys(check.reasons),
    ...Object.keys(SHARED_REASONS),
    ...needClosure(check.needs).map((n) => NEEDS[n].reason),
  ]);
}

export function testCheck(check: Check, cases: CheckCases): void {
  // Refuse a suite that cannot show the check both passing and failing.
  for (const list of ['pass', 'fail', 'error'] as const) {
    if (cases[list].length === 0) throw new Error(`${check.name}: the ${list} list is empty`);
  }
  const names = [...cases.pass, ...cases.fail, ...cases.error].map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${check.name}: duplicate case name '${dup}'`);
  const allowed = allowedReasons(check);
  for (const c of [...cases.fail, ...cases.error]) {
    if (!allowed.has(c.reason)) throw new Error(`${check.name}: case '${c.name}' expects unknown reason '${c.reason}'`);
  }

  describe(check.name, () => {
    it.each(cases.pass.map((c) => [c.name, c] as const))('passes: %s', (_, c) => {
      const r = runCheck(check, c.patch, c.arch);
      expect(r, r.evidence.join('\n')).toMatchObject({ status: 'pass' });
      expect(r.reason).toBeUndefined();
      expect(r.evidence.length).toBeGreaterThan(0);
    });

    for (const [status, list] of [['fail', cases.fail], ['error', cases.error]] as const) {
      it.each(list.map((c) => [c.name, c] as const))(`${status}s: %s`, (_, c) => {
        const r = runCheck(check, c.patch, c.arch);
        expect({ status: r.status, reason: r.reason }, r.evidence.join('\n')).toEqual({ status, reason: c.reason });
        if (c.evidence) expect(r.evidence.join('\n')).toContain(c.evidence);
      });
    }

    it.each(needClosure(check.needs).map((n) => [n] as const))('errors when need %s does not hold', (need) => {
      const r = runCheck(check, BREAK_NEED[need]);
      // The first need that fails is reported: breaking one may also break what requires it.
      expect(r.status).toBe('error');
      expect(r.reason).toBe(NEEDS[need].reason);
    });

    it('declares only reasons that some case exercises or that are shared', () => {
      const exercised = new Set([...cases.fail, ...cases.error].map((c) => c.reason));
      const unexercised = Object.keys(check.reasons).filter((r) => !exercised.has(r));
      expect(unexercised, 'declared reasons without a test case').toEqual([]);
    });
  });
}
