import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.ts';
import { captureIO } from './helpers/io.ts';

describe('cli root', () => {
  it('--help lists every command and exits 0', async () => {
    const io = captureIO();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out).toMatch(/audit/);
  });
  it('an unknown command is a usage error (exit 2, one line)', async () => {
    const io = captureIO();
    expect(await run(['bogus'], io)).toBe(2);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('command registry', () => {
  it('each verb loads a command of that name whose summary matches the root help', async () => {
    const { COMMANDS } = await import('../src/cli/main.ts');
    for (const [verb, entry] of Object.entries(COMMANDS)) {
      const cmd = await entry.load();
      expect(cmd.name).toBe(verb);
      expect(entry.summary).toBe(cmd.summary);
    }
  });
});
