// Writes a fixture to a directory, for `capsem-doctor --root DIR` tests:
// files, directories, symlinks, modes; files that share an inode number become
// hard links (so the overlay-vs-lower-layer proof holds on disk too). Device
// nodes become regular files (no mknod) and statfs magic goes to an --fs-facts file.
import { spawn } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DoctorReport } from '../../../src/doctor/types.ts';
import type { Arch } from '../../../src/policy/index.ts';
import type { Fixture } from './fake-guest.ts';
import { healthyGuest } from './healthy-guest.ts';

export function writeFixture(f: Fixture): { root: string; facts: string } {
  const root = mkdtempSync(join(tmpdir(), 'capsem-doctor-fixture-'));
  const byIno = new Map<number, string>();
  const dirs: [string, number][] = [];
  for (const [path, node] of Object.entries(f.files)) {
    const p = join(root, path);
    mkdirSync(dirname(p), { recursive: true });
    if (node.kind === 'dir') {
      mkdirSync(p, { recursive: true });
      dirs.push([p, node.mode]);
    } else if (node.kind === 'symlink') symlinkSync(node.target, p);
    else if (node.kind === 'file' && node.ino !== undefined && byIno.has(node.ino)) linkSync(byIno.get(node.ino)!, p);
    else {
      writeFileSync(p, node.content);
      chmodSync(p, node.mode);
      if (node.kind === 'file' && node.ino !== undefined) byIno.set(node.ino, p);
    }
  }
  for (const [p, mode] of dirs) chmodSync(p, mode);
  const facts = join(root, '..', `${root.split('/').at(-1)}.facts.json`);
  writeFileSync(facts, JSON.stringify(f.statfs));
  return { root, facts };
}

/**
 * Runs the doctor command `cmd` on a healthy fixture whose /proc names the doctor by its real pid:
 * sh starts, the fixture is written for sh's pid, then sh execs the doctor (same pid).
 * The fixture's removal goes to `cleanup`.
 */
export async function runOnFixture(
  arch: Arch,
  cmd: string[],
  cleanup: (() => void)[],
  extra: string[] = [],
  patch: (f: Fixture) => void = () => {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', 'read root facts; exec "$@" --root "$root" --fs-facts "$facts"', 'sh', ...cmd, ...extra]);
  const guest = healthyGuest(arch, child.pid!);
  patch(guest);
  const f = writeFixture(guest);
  cleanup.push(() => (rmSync(f.root, { recursive: true, force: true }), rmSync(f.facts, { force: true })));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(`${f.root} ${f.facts}\n`);
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { status, stdout, stderr };
}

/** What a JSON report says, without the figures that differ from run to run. */
export function reportClaims(json: string) {
  const r = JSON.parse(json) as DoctorReport;
  return { healthy: r.healthy, summary: r.summary, checks: r.checks.map(({ name, status, reason, evidence }) => ({ name, status, reason, evidence })) };
}
