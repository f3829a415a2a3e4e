import { describe, expect, it } from 'vitest';
import { effectiveRequests, sameValue, unmetRequests } from '../../src/kconfig/compare.ts';

// The value rules, once: the survival check, `explain --missing` and the audit all compare through them.

describe('sameValue', () => {
  it.each([
    // tristate: n and absent are one value
    ['n', undefined, true],
    ['n', 'n', true],
    ['y', undefined, false],
    ['y', 'm', false],
    ['m', 'm', true],
    // int and hex by value: any case of digits and prefix, either sign, across bases
    ['17', '0x11', true],
    ['0x1F', '0x1f', true],
    ['0X1f', '31', true],
    ['-16', '-0x10', true],
    ['-0x10', '0x10', false],
    ['0', '-0', true],
    ['9223372036854775807', '0x7fffffffffffffff', true],
    ['9223372036854775807', '9223372036854775806', false], // Number() would call these equal
    ['0', undefined, false],
    ['0x10', 'y', false],
    // strings by their text, as conf reads the escapes
    ['"a\\b"', '"ab"', true],
    ['"say \\"hi\\""', '"say \\"hi\\""', true],
    ['"a\\\\b"', '"a\\b"', false],
    ['"17"', '17', false],
    ['""', undefined, false],
    ['"x"', '"y"', false],
  ] as const)('%s vs %s: %s', (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
  });
});

describe('requested lines vs a final configuration', () => {
  const final = new Map([
    ['NET', 'y'],
    ['LOG_SHIFT', '17'],
    ['NAME', '"capsem"'],
  ]);
  const known = (s: string) => ['NET', 'INET', 'LOG_SHIFT', 'NAME', 'DEBUG'].includes(s);

  it('a later line overrides an earlier one and takes its place', () => {
    const r = effectiveRequests([
      { symbol: 'A', value: 'y' },
      { symbol: 'B', value: 'y' },
      { symbol: 'A', value: 'n' },
    ]);
    expect(r).toEqual([{ symbol: 'B', value: 'y' }, { symbol: 'A', value: 'n' }]);
  });

  it('reports unknown symbols (even at =n) and changed values, nothing else', () => {
    const unmet = unmetRequests(
      [
        { symbol: 'NET', value: 'y' },
        { symbol: 'INET', value: 'n' },
        { symbol: 'LOG_SHIFT', value: '0x11' },
        { symbol: 'NAME', value: '"caps\\em"' },
        { symbol: 'DEBUG', value: 'y' },
        { symbol: 'NETT', value: 'n' },
      ],
      final,
      known,
    );
    expect(unmet.map((u) => [u.request.symbol, u.kind, u.final])).toEqual([
      ['DEBUG', 'changed', undefined],
      ['NETT', 'unknown-symbol', undefined],
    ]);
  });
});
