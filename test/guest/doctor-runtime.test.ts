import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/doctor/registry.ts';
import { ARCHS } from '../../src/policy/index.ts';
import { GUEST_CC } from '../../src/guest/assets.ts';
import { doctorCompiler, doctorRuntime, probeBinary } from '../../src/guest/runtime.ts';
import { cacheDir } from '../../src/util/paths.ts';
import { type Fixture, file, dir } from '../doctor/helpers/fake-guest.ts';
import { reportClaims, runOnFixture } from '../doctor/helpers/on-disk.ts';

// The doctor on its own runtime (capsem-doctor-rt: QuickJS-NG from Debian's
// qjs-src, static, our bundle as bytecode) against the doctor on node, same
// fixture tree: the same checks, statuses, reasons and evidence. Real builds:
// the qjs-src .deb through the private apt state, gcc and the cross gcc.

const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const ON_DISK = Object.values(REGISTRY)
  .filter((c) => !c.needs.includes('probe') && c.name !== 'test_squashfs_is_immutable')
  .map((c) => c.name);
const scratch = mkdtempSync(join(tmpdir(), 'capsem-doctor-rt-test-'));
const cleanup: (() => void)[] = [() => rmSync(scratch, { recursive: true, force: true })];
let rt: string;
/** The host's variant, with --compile; the image's runtime (rt) runs bytecode only. */
let compiler: string;

beforeAll(async () => {
  rt = (await doctorRuntime(arch)).path;
  compiler = (await doctorCompiler(arch)).path;
}, 900_000);
afterAll(() => cleanup.forEach((f) => f()));

/** The current bundle compiled now (another `npm run build` may have replaced dist/ since any cached bytecode). */
function compile(runtime: string[], out: string, script = 'dist/capsem-doctor.qjs.js'): void {
  const r = spawnSync(runtime[0]!, [...runtime.slice(1), '--compile', script, out], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
}

/** `source` written as scratch/NAME.js and compiled by the compiler build: the bytecode's path, to run on either build. */
function compileScript(name: string, source: string): string {
  const script = join(scratch, `${name}.js`);
  writeFileSync(script, source);
  compile([compiler], join(scratch, `${name}.qbc`), script);
  return join(scratch, `${name}.qbc`);
}

const onFixture = (cmd: string[], extra: string[] = [], patch: (f: Fixture) => void = () => {}) => runOnFixture(arch, cmd, cleanup, extra, patch);

describe('capsem-doctor-rt', () => {
  it('answers a fixture tree exactly as the doctor on node does', async () => {
    const bytecode = join(scratch, 'doctor.qbc');
    compile([compiler], bytecode);
    const args = ['--only', ON_DISK.join(','), '--json'];
    const onNode = await onFixture([process.execPath, 'dist/capsem-doctor.js'], args);
    const onRt = await onFixture([rt, bytecode], args);
    expect(onRt.stderr).toBe(onNode.stderr);
    expect([onRt.status, onNode.status]).toEqual([0, 0]);
    expect(reportClaims(onRt.stdout)).toEqual(reportClaims(onNode.stdout));
    expect(reportClaims(onRt.stdout).summary.passed).toBe(ON_DISK.length);
  });

  it('walks a tree natively as walkTree does on node: the same setuid and setgid files, in the same order', async () => {
    const bytecode = join(scratch, 'doctor.qbc');
    compile([compiler], bytecode);
    const args = ['--only', 'test_no_setuid_binaries,test_no_setgid_binaries', '--json'];
    const special = (f: Fixture) => {
      f.files['/usr/bin/su'] = file('x', { mode: 0o4755 });
      f.files['/usr/bin/wall'] = file('x', { mode: 0o2755 });
      f.files['/srv'] = dir({ mode: 0o4755 });
      f.files['/usr/lib/a/b/c/helper'] = file('x', { mode: 0o6711 });
      f.files['/run/odd'] = file('x', { mode: 0o4644 });
    };
    const onNode = await onFixture([process.execPath, 'dist/capsem-doctor.js'], args, special);
    const onRt = await onFixture([rt, bytecode], args, special);
    expect(reportClaims(onRt.stdout)).toEqual(reportClaims(onNode.stdout));
    const [suid, sgid] = reportClaims(onRt.stdout).checks;
    expect([suid?.status, sgid?.status]).toEqual(['fail', 'fail']);
    expect(suid?.evidence.join('\n')).toMatch(/\/srv: mode 04755 \(dir\)\n\/usr\/lib\/a\/b\/c\/helper: mode 06711 \(file\)\n\/usr\/bin\/su: mode 04755 \(file\)\n\/run\/odd/);
  });

  it("hashes as node's sha256 does, whatever the lengths and the chunks", () => {
    // Lengths around the 64-byte block and its 56-byte padding edge, fed in uneven chunks.
    const lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, (1 << 20) + 3];
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
    const bytecode = compileScript(
      'sha',
      `const N = __capsemNative; const out = [];
      for (const n of ${JSON.stringify(lengths)}) {
        const b = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
        const s = N.sha256New();
        for (let at = 0, step = 1; at < n; at += step, step = step * 3 + 1) N.sha256Update(s, b.subarray(at, Math.min(n, at + step)));
        out.push(N.sha256Hex(s));
      }
      N.write(1, new Uint8Array(N.utf8Encode(out.join('\\n') + '\\n')));`,
    );
    const r = spawnSync(rt, [bytecode], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(lengths.map((n) => createHash('sha256').update(bytes(n)).digest('hex')));
  });

  it("makes the probe's calls in its own process and answers as node with capsem-probe does", async () => {
    const bytecode = join(scratch, 'doctor.qbc');
    compile([compiler], bytecode);
    const probe = (await probeBinary(arch)).path;
    const PROBED = Object.values(REGISTRY)
      .filter((c) => c.needs.includes('probe') || c.needs.includes('exec') || c.name === 'test_no_file_capabilities')
      .map((c) => c.name);
    const onNode = await onFixture([process.execPath, 'dist/capsem-doctor.js'], ['--only', PROBED.join(','), '--json', '--probe', probe]);
    // No --probe: the default probe (absent on this host) is never run, its calls are natives.
    const onRt = await onFixture([rt, bytecode], ['--only', PROBED.join(','), '--json']);
    const rtPath = `${rt} (the probe's calls, in the doctor's process)`;
    const byName = new Map(reportClaims(onNode.stdout).checks.map((c) => [c.name, c]));
    const rtChecks = reportClaims(onRt.stdout).checks;
    expect(rtChecks.length).toBeGreaterThan(5);
    for (const c of rtChecks) {
      const n = byName.get(c.name)!;
      // The same verdicts and evidence, but for the probe's name, the pid that answered getpid and the scratch directory.
      const same = (e: string[], path: string) => e.map((l) => l.replaceAll(path, 'PROBE').replace(/pid \d+/g, 'pid N').replace(/= \d+ \(errno 0\)/, '= N (errno 0)').replace(/capsem-doctor-\w+\//g, 'SCRATCH/'));
      expect({ ...c, evidence: same(c.evidence, rtPath) }, c.name).toEqual({ ...n, evidence: same(n.evidence, probe) });
    }
    expect(rtChecks.map((c) => c.name)).toContain('test_no_32bit_exec');
    expect(rtChecks.find((c) => c.name === 'test_no_bpf_syscall')?.evidence.join('\n')).toContain(rtPath);
  });

  it('runs the probe as a child process, as node does: a program that is no probe is said to be unusable the same way', async () => {
    const bytecode = join(scratch, 'doctor.qbc');
    compile([compiler], bytecode);
    const args = ['--probe', '/bin/true', '--only', 'test_no_bpf_syscall', '--json'];
    const onNode = await onFixture([process.execPath, 'dist/capsem-doctor.js'], args);
    const onRt = await onFixture([rt, bytecode], args);
    expect(reportClaims(onRt.stdout)).toEqual(reportClaims(onNode.stdout));
    expect(reportClaims(onRt.stdout).checks[0]).toMatchObject({ status: 'error', reason: 'probe-unusable' });
  });

  it('usage errors are one line and exit 2, in the doctor and in the runtime itself', () => {
    const bytecode = join(scratch, 'doctor.qbc');
    compile([compiler], bytecode);
    const bad = spawnSync(rt, [bytecode, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^capsem-doctor: Unknown option '--bogus'.*\(see --help\)\n$/);
    const none = spawnSync(rt, [], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const missing = spawnSync(rt, [join(scratch, 'absent.qbc')], { encoding: 'utf8' });
    expect([missing.status, missing.stderr]).toEqual([2, `capsem-doctor-rt: ${join(scratch, 'absent.qbc')}: No such file or directory\n`]);
  });

  it('the image\'s runtime has no compiler: --compile is a usage error, eval and new Function throw', () => {
    const usage = spawnSync(rt, ['--compile', 'dist/capsem-doctor.qjs.js', join(scratch, 'x.qbc')], { encoding: 'utf8' });
    expect([usage.status, usage.stderr]).toEqual([2, 'usage: capsem-doctor-rt BYTECODE [args]\n']);
    const bytecode = compileScript(
      'no-eval',
      "const refused = (f) => { try { f(); return 'ran'; } catch (e) { return String(e); } };\n" +
        "const got = [refused(() => eval('1')), refused(() => new Function('return 1')())];\n" +
        "if (got.some((g) => !/eval is not supported/.test(g))) throw new Error(got.join('; '));\n",
    );
    const r = spawnSync(rt, [bytecode], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    // The control: the same bytecode on the compiler's context, which has eval.
    const control = spawnSync(compiler, [bytecode], { encoding: 'utf8' });
    expect(control.status).not.toBe(0);
    expect(control.stderr).toContain('ran; ran');
  });

  it('applies its PT_GNU_RELRO itself (musl\'s static start does not): those pages are read-only while it runs', () => {
    const relro = /GNU_RELRO\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)/.exec(
      spawnSync('readelf', ['-lW', rt], { encoding: 'utf8' }).stdout,
    );
    expect(relro, 'a PT_GNU_RELRO segment').not.toBeNull();
    const start = Number(relro![1]!) & ~0xfff;
    expect((Number(relro![1]!) + Number(relro![2]!)) & ~0xfff, 'at least one whole page').toBeGreaterThan(start);
    const bytecode = compileScript(
      'relro',
      `const n = globalThis.__capsemNative;\n` +
        `const maps = n.utf8Decode(new Uint8Array(n.readFile('/proc/self/maps', false)));\n` +
        `const line = maps.split('\\n').find((l) => { const [a, b] = l.split(' ')[0].split('-').map((x) => parseInt(x, 16)); return a <= ${start} && ${start} < b; });\n` +
        `if (!line || !line.split(' ')[1].startsWith('r--')) throw new Error('RELRO page: ' + line);\n`,
    );
    const r = spawnSync(rt, [bytecode], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('compiles the same bytecode on either arch (the host compiles it for both guests)', async () => {
    const other = arch === 'x86_64' ? 'arm64' : 'x86_64';
    const cross = await doctorCompiler(other);
    compile([compiler], join(scratch, 'native.qbc'));
    compile([other === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64', cross.path], join(scratch, 'cross.qbc'));
    expect(readFileSync(join(scratch, 'cross.qbc')).equals(readFileSync(join(scratch, 'native.qbc')))).toBe(true);
  }, 900_000);
});

it("the probe and the runtime are static against Debian's musl and stripped, for each arch", async () => {
  for (const a of ARCHS) {
    for (const b of [await probeBinary(a), await doctorRuntime(a)]) {
      const elf = (flags: string) => spawnSync('readelf', ['-W', flags, b.path], { encoding: 'utf8' }).stdout;
      expect(elf('-l'), b.path).not.toMatch(/\b(INTERP|DYNAMIC)\b/);
      expect(elf('-S'), b.path).not.toMatch(/\.symtab\b/);
      expect(elf('-l'), b.path).toMatch(/\bGNU_RELRO\b/);
      const bytes = readFileSync(b.path);
      // glibc's static start code reads GLIBC_TUNABLES: its name in a binary is glibc linked in.
      expect(bytes.includes('GLIBC_TUNABLES'), b.path).toBe(false);
      // Nothing of the build's scratch (the engine's assertions name their files): the same bytes from any build.
      expect(bytes.includes(cacheDir('guest')), b.path).toBe(false);
      expect(b.origin).toMatch(/ \+ debian musl-dev \S+ (amd64|arm64)$/);
    }
  }
}, 900_000);

it('the build scripts compile with the gcc GUEST_CC names (src/doctor/probe/guest-cc.sh), for each arch', () => {
  for (const a of ARCHS) {
    expect(spawnSync('sh', ['-c', '. src/doctor/probe/guest-cc.sh; echo "$cc"', 'sh', a], { encoding: 'utf8' }).stdout.trim()).toBe(GUEST_CC[a]);
  }
});
