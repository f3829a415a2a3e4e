import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyKernel } from '../guest/e2e-kit.ts';

// A person can log in on the console: `boot --shell` in a real terminal
// (tmux), the prompt appears after the doctor, commands run, `exit` powers off.

const session = `capsem-shell-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const pane = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
const alive = () => spawnSync('tmux', ['has-session', '-t', session]).status === 0;

async function waitFor(what: RegExp, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = alive() ? pane() : '';
    if (what.test(text)) return text;
    if (Date.now() > until || !alive()) throw new Error(`timed out waiting for ${what}; pane:\n${text}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('boot --shell (x86_64, under tmux)', () => {
  let kernel = '';
  beforeAll(async () => {
    kernel = (await policyKernel('x86_64')).image.path;
    // The CLI a person runs is the bundle.
    execFileSync('node', ['scripts/bundle.mjs'], { stdio: 'inherit' });
  });
  afterAll(() => {
    if (alive()) tmux('kill-session', '-t', session);
  });

  it('shows a prompt after the doctor, runs commands, and powers off on exit', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', 'node', 'bin/capsem-kernel.js', 'boot', '--arch', 'x86_64', '--kernel', kernel, '--shell');
    // Keep the pane after the command ends, to read the final verdict.
    tmux('set-option', '-t', session, 'remain-on-exit', 'on');
    // The prompt, not a line that ends with it: a late kernel message (clocksource: tsc) may follow it on the console.
    await waitFor(/^capsem:\/# /m, 300_000);
    tmux('send-keys', '-t', session, 'echo "answer=$((6*7))"; cat /proc/cmdline; ls /sys/class/net', 'Enter');
    const text = await waitFor(/answer=42/, 60_000);
    expect(text).toMatch(/init_on_alloc=1 slab_nomerge page_alloc\.shuffle=1/);
    expect(text).toMatch(/capsem_shell=1/);
    await waitFor(/dummy0\s+lo/, 30_000);
    tmux('send-keys', '-t', session, 'exit', 'Enter');
    const end = await waitFor(/guest x86_64: (HEALTHY|UNHEALTHY)/, 120_000);
    expect(end).toMatch(/guest x86_64: HEALTHY/);
  });
});
