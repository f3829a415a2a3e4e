import { describe, expect, it } from 'vitest';
import { consoleTailOf } from '../../src/guest/boot.ts';

describe('consoleTailOf', () => {
  it('keeps the last lines', () => {
    const raw = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\r\n');
    expect(consoleTailOf(raw, 3)).toBe('line 47\nline 48\nline 49');
  });

  it('drops escape sequences and control characters a guest could use on the terminal', () => {
    const raw = 'ok\x1b[2J\x1b[31mred\x1b[0m\x07bell\x1b]0;title\x07\ttab\x00nul\n';
    const out = consoleTailOf(raw);
    expect(out).toBe('okredbell]0;title\ttabnul');
    expect(/[\x00-\x08\x0b-\x1f\x7f]/.test(out)).toBe(false);
  });
});
