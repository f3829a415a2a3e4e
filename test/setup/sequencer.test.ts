import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEAVY_FIRST } from './sequencer.ts';

describe('the heavy-first file order', () => {
  // A renamed file would silently fall back to vitest's order: the cold run's tail grows, nothing fails.
  it('names files that exist', () => {
    for (const f of HEAVY_FIRST) expect(existsSync(f), f).toBe(true);
  });
});
