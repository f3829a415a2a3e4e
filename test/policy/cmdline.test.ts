import { describe, expect, it } from 'vitest';
import { parseCmdline } from '../../src/policy/index.ts';

// The kernel's tokenizer (lib/cmdline.c next_arg, kernel/params.c parse_args), case by case.
const CASES: { line: string; tokens: { key: string; value?: string }[]; initArgs?: string[] }[] = [
  { line: '', tokens: [] },
  { line: '   ', tokens: [] },
  { line: 'ro', tokens: [{ key: 'ro' }] },
  { line: '  root=/dev/vda   ro  ', tokens: [{ key: 'root', value: '/dev/vda' }, { key: 'ro' }] },
  { line: 'console=', tokens: [{ key: 'console', value: '' }] },
  { line: 'a=b=c', tokens: [{ key: 'a', value: 'b=c' }] },
  { line: 'foo="bar baz" x', tokens: [{ key: 'foo', value: 'bar baz' }, { key: 'x' }] },
  { line: '"quoted param=with space" y', tokens: [{ key: 'quoted param', value: 'with space' }, { key: 'y' }] },
  { line: '"bare quoted"', tokens: [{ key: 'bare quoted' }] },
  { line: 'k=v"x y"z', tokens: [{ key: 'k', value: 'v"x y"z' }] },
  { line: 'ro\tquiet\ninit=/sbin/init', tokens: [{ key: 'ro' }, { key: 'quiet' }, { key: 'init', value: '/sbin/init' }] },
  { line: 'ro -- rw init=x', tokens: [{ key: 'ro' }], initArgs: ['rw', 'init=x'] },
  { line: 'ro --=x', tokens: [{ key: 'ro' }, { key: '--', value: 'x' }] },
  { line: '=x', tokens: [{ key: '=x' }] },
];

describe('parseCmdline', () => {
  it.each(CASES)('$line', ({ line, tokens, initArgs = [] }) => {
    const parsed = parseCmdline(line);
    expect(parsed.tokens).toEqual(tokens);
    expect(parsed.initArgs).toEqual(initArgs);
  });

  it('the last of repeated keys wins', () => {
    const p = parseCmdline('init_on_alloc=1 slab_nomerge init_on_alloc=0');
    expect(p.get('init_on_alloc')).toBe('0');
    expect(p.get('slab_nomerge')).toBe(true);
  });

  it('a bare flag is true, key= is the empty string, absent is undefined', () => {
    const p = parseCmdline('ro console=');
    expect(p.get('ro')).toBe(true);
    expect(p.get('console')).toBe('');
    expect(p.get('rw')).toBeUndefined();
    expect(p.has('ro')).toBe(true);
    expect(p.has('rw')).toBe(false);
  });

  it('- and _ in parameter names are the same character, as in the kernel', () => {
    const p = parseCmdline('page-alloc.shuffle=1');
    expect(p.get('page_alloc.shuffle')).toBe('1');
  });

  it('parameters after -- belong to init, not the kernel', () => {
    const p = parseCmdline('root=/dev/vda -- ro');
    expect(p.has('ro')).toBe(false);
  });
});
