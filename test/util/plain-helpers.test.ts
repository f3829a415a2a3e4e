import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/util/flags.ts';
import { xmlEscape } from '../../src/util/xml.ts';

describe('xmlEscape', () => {
  it('escapes the five markup characters and replaces control characters XML 1.0 forbids', () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(xmlEscape('tab\tnl\ncr\r bell\u0007 esc\u001b')).toBe('tab\tnl\ncr\r bell? esc?');
  });
});

describe('parseFlags', () => {
  const OPTS = { root: { type: 'string' }, json: { type: 'boolean' } } as const;
  it('reads --name VALUE, --name=VALUE and booleans', () => {
    expect(parseFlags(['--root', '/x', '--json'], OPTS)).toEqual({ root: '/x', json: true });
    expect(parseFlags(['--root=/y'], OPTS)).toEqual({ root: '/y' });
    expect(parseFlags([], OPTS)).toEqual({});
  });
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--root'], "Option '--root <value>' argument missing"],
    [['--root', '--json'], "Option '--root <value>' argument missing"],
    [['--json=1'], "Option '--json' does not take an argument"],
    [['pos'], "Unexpected argument 'pos'. This command does not take positional arguments"],
    [['--toString'], "Unknown option '--toString'"],
  ])('%j: one line, node\'s wording', (args, message) => {
    expect(() => parseFlags(args, OPTS)).toThrow(new TypeError(message));
  });
});
