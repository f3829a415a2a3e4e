import { describe, expect, it } from 'vitest';
import {
  compareSeries,
  conditionText,
  FEATURES,
  matches,
  parseKernelSeries,
  RULES,
  symbolFor,
  type SymbolByVersion,
} from '../../src/policy/index.ts';

// Symbol names over kernel history: every range table is well formed, and a
// release between or beyond the verified ones resolves through the ranges.

const tables: [string, SymbolByVersion][] = [
  ...RULES.flatMap((r) =>
    r.kind === 'kconfig'
      ? [[r.id, r.symbol] as [string, SymbolByVersion], ...(r.requires ?? []).map((q) => [`${r.id} (requires)`, q.symbol] as [string, SymbolByVersion])]
      : [],
  ),
  ...FEATURES.flatMap((f) => f.options.map((o) => [`feature ${f.id}`, o.symbol] as [string, SymbolByVersion])),
];
const ranged = tables.filter((t): t is [string, Exclude<SymbolByVersion, string>] => typeof t[1] !== 'string');

describe('symbol version ranges', () => {
  it('are tables: the oldest span open, the others in increasing release order, each a change', () => {
    expect(ranged.length).toBeGreaterThan(30);
    const bad: string[] = [];
    for (const [owner, spans] of ranged) {
      if (spans[0]!.from !== undefined) bad.push(`${owner}: oldest span has a 'from'`);
      for (let i = 1; i < spans.length; i++) {
        const prev = spans[i - 1]!;
        const s = spans[i]!;
        if (s.from === undefined) bad.push(`${owner}: span ${i} has no 'from'`);
        else if (prev.from !== undefined && compareSeries(prev.from, s.from) >= 0) bad.push(`${owner}: ${s.from} after ${prev.from}`);
        if ('name' in s && 'name' in prev && s.name === prev.name) bad.push(`${owner}: ${s.name} twice in a row`);
      }
      if (spans.length === 1 && 'name' in spans[0]!) bad.push(`${owner}: one named span is a plain string`);
    }
    expect(bad).toEqual([]);
  });

  it('agree with their own texts: a release an absent text names is a boundary of its span', () => {
    const bad: string[] = [];
    for (const [owner, spans] of ranged) {
      spans.forEach((s, i) => {
        if (!('absent' in s)) return;
        const said = /\b(?:added|removed|renamed|folded into \w+|split out of \w+) in (\d+\.\d+)\b/.exec(s.absent)?.[1];
        const bounds = [s.from, spans[i + 1]?.from];
        if (said && !bounds.includes(said as never)) bad.push(`${owner}: "${s.absent}" but the span is ${bounds.join('..')}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('resolve releases inside, between and beyond the verified ones', () => {
    const retpoline = RULES.find((r) => r.id === 'x86-retpoline')!;
    if (retpoline.kind !== 'kconfig') throw new Error('x86-retpoline is a kconfig rule');
    expect(symbolFor(retpoline.symbol, '5.10')).toEqual({ name: 'RETPOLINE' });
    expect(symbolFor(retpoline.symbol, '6.8')).toEqual({ name: 'RETPOLINE' });
    expect(symbolFor(retpoline.symbol, '6.9')).toEqual({ name: 'MITIGATION_RETPOLINE' });
    expect(symbolFor(retpoline.symbol, '6.18')).toEqual({ name: 'MITIGATION_RETPOLINE' });
    const depth = RULES.find((r) => r.id === 'x86-call-depth-tracking')!;
    if (depth.kind !== 'kconfig') throw new Error('x86-call-depth-tracking is a kconfig rule');
    expect(symbolFor(depth.symbol, '6.1')).toHaveProperty('absent');
    expect(symbolFor(depth.symbol, '6.6')).toEqual({ name: 'CALL_DEPTH_TRACKING' });
    expect(symbolFor(depth.symbol, '6.12')).toEqual({ name: 'MITIGATION_CALL_DEPTH_TRACKING' });
  });

  it('order releases numerically and parse only major.minor', () => {
    expect(compareSeries('6.9', '6.12')).toBeLessThan(0);
    expect(compareSeries('5.10', '6.1')).toBeLessThan(0);
    expect(compareSeries('6.12', '6.12')).toBe(0);
    expect(parseKernelSeries('6.06')).toBe('6.6');
    expect(parseKernelSeries('6.12.48')).toBeUndefined();
    expect(parseKernelSeries('six')).toBeUndefined();
  });

  it('let a waiver hold over a range of releases', () => {
    const cond = { kernel: { from: '6.6' as const } };
    expect(matches(cond, { kernel: '6.1' })).toBe(false);
    expect(matches(cond, { kernel: '6.6' })).toBe(true);
    expect(matches(cond, { kernel: '6.18' })).toBe(true);
    expect(matches({ kernel: { before: '6.9' } }, { kernel: '6.9' })).toBe(false);
    expect(conditionText({ arch: 'x86_64', kernel: { from: '6.6' } })).toBe('x86_64, Linux 6.6 and later');
  });
});
