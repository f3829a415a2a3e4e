// Boot time as JSON with dimensions: N boots of the real guest (QEMU start ->
// kernel start -> init -> doctor process start -> first line of our code ->
// checks done -> frame sent/received), median and p90 of each phase, and, side by side in the same
// run and with the same QEMU command line, our kernel and Debian's cloud kernel
// booting one initramfs whose /init only reboots (QEMU start -> QEMU exit).
// The guest's phases come from its own marks sent on the result channel; the
// trivial-init boots are timed by the host alone (the Debian kernel has no
// built-in virtio console to send on). No thresholds: figures to compare.
//
//   [CAPSEM_DOCTOR_RUNTIME=qjs] npx vite-node bench/boot.ts [--arch x86_64|arm64] [--n 5] [--no-debian] [--memory MiB]
// --memory: guest RAM for every boot of the run, ours and Debian's (default: the launcher's).
//
// Builds nothing slow itself beyond what `up` does: the policy kernel comes
// from the build cache (built if missing), the images from the rootfs cache.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildKernel } from '../src/build/index.ts';
import { busyboxInitramfs } from '../src/guest/cpio.ts';
import { bootGuest, buildRootfs, readHostFacts, decideAccel, manifestIdentity, type BootPhases, type BootResult } from '../src/guest/index.ts';
import { QEMU_BINARY, bootCmdline, qemuArgs } from '../src/guest/qemu.ts';
import { aptDownload, doctorRuntimeKind, fetchBusybox } from '../src/guest/runtime.ts';
import { type Arch, cmdlineFor, isArch } from '../src/policy/index.ts';
import { cacheDir } from '../src/util/paths.ts';
import { runTool } from '../src/guest/exec.ts';
import { ResultListener } from '../src/guest/channel.ts';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'x86_64' },
    n: { type: 'string', default: '5' },
    'no-debian': { type: 'boolean', default: false },
    memory: { type: 'string' },
  },
});
const memoryMiB = values.memory === undefined ? undefined : Number(values.memory);
if (memoryMiB !== undefined && !(Number.isInteger(memoryMiB) && memoryMiB >= 64)) throw new Error('--memory must be a whole number of MiB, at least 64');
const memory = memoryMiB === undefined ? {} : { memoryMiB };
if (!isArch(values.arch!)) throw new Error('--arch must be x86_64 or arm64');
const arch: Arch = values.arch;
const n = Number(values.n);
const log = (m: string) => process.stderr.write(`bench/boot: ${m}\n`);

function stats(samples: number[]) {
  if (samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2), p90: at(0.9), min: s[0]!, max: s.at(-1)!, samples };
}

/** Debian's current 6.12 cloud kernel (x86_64 only): the meta package names the version. */
async function debianCloudKernel(): Promise<{ path: string; package: string }> {
  const meta = await aptDownload('x86_64', 'linux-image-6.12-cloud-amd64');
  const depends = await runTool('dpkg-deb', ['-f', meta, 'Depends']);
  const signed = /linux-image-6\.12\.[^\s,(]+-cloud-amd64/.exec(depends)?.[0];
  if (!signed) throw new Error(`cannot read the kernel package from ${basename(meta)}: ${depends}`);
  const pkg = `${signed}-unsigned`;
  const dir = join(cacheDir('bench'), pkg);
  if (!existsSync(join(dir, 'boot'))) {
    const deb = await aptDownload('x86_64', pkg);
    await mkdir(dir, { recursive: true });
    await runTool('dpkg-deb', ['-x', deb, dir]);
  }
  const vmlinuz = (await runTool('sh', ['-c', `ls ${join(dir, 'boot')}/vmlinuz-*`])).trim();
  return { path: vmlinuz, package: pkg };
}

/** busybox + an /init that only reboots: the "trivial init" both kernels boot. */
async function trivialInitramfs(dir: string): Promise<string> {
  const busybox = await readFile((await fetchBusybox(arch)).path);
  const path = join(dir, 'trivial.cpio.gz');
  await writeFile(path, busyboxInitramfs(busybox, '#!/bin/sh\nreboot -f\n'));
  return path;
}

/** One trivial-init boot with the guest's exact QEMU command line: host ms from spawn to exit. */
async function trivialBoot(kernel: string, initramfs: string, rootfs: string, accel: 'kvm' | 'tcg', sock: string): Promise<number> {
  const args = qemuArgs({ arch, accel, kernel, initramfs, rootfs, cmdline: bootCmdline(arch, cmdlineFor(arch), '0'.repeat(32)), resultSocket: sock, ...memory });
  const t0 = performance.now();
  const child = spawn(QEMU_BINARY[arch], args, { stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`trivial-init boot of ${kernel} ended with ${code}`);
  return Math.round(performance.now() - t0);
}

/** Every phase BootPhases names, in boot order (the doctor's split after its total). */
const PHASES = ['qemuToKernel', 'kernelToInit', 'initToDoctor', 'doctor', 'doctorProcess', 'runtimeReady', 'checks', 'send', 'doctorRun'] as const satisfies readonly (keyof BootPhases)[];
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

const dir = await mkdtemp(join(tmpdir(), 'capsem-bench-boot-'));
try {
  const accel = decideAccel('auto', arch, readHostFacts());
  log(`accel: ${accel.accel} (${accel.reason})`);
  const kernel = await buildKernel({ arch, outDir: join(dir, 'kernel') });
  const images = await buildRootfs({ arch });
  const boots: BootResult[] = [];
  for (let i = 0; i < n; i++) {
    const r = await bootGuest({
      arch,
      kernel: kernel.image.path,
      identity: manifestIdentity(join(dir, 'kernel', 'manifest.json'), kernel),
      rootfs: images.squashfs.path,
      initramfs: images.initramfs.path,
      accel: accel.accel,
      ...memory,
    });
    if (!r.healthy) throw new Error(`boot ${i + 1} unhealthy: ${r.reason}\n${r.consoleTail}`);
    log(`boot ${i + 1}/${n}: verdict at ${r.timings.msToVerdict} ms`);
    boots.push(r);
  }
  const pick = (f: (r: BootResult) => number | undefined) => stats(boots.map(f).filter((x): x is number => x !== undefined));

  // The trivial-init comparison: same QEMU line, alternating kernels so both see the same machine load.
  // QEMU needs something listening on the result socket; nobody writes to it here.
  const sock = join(dir, 'r.sock');
  const listener = await ResultListener.listen(sock);
  const trivial = await trivialInitramfs(dir);
  const debian = arch === 'x86_64' && !values['no-debian'] ? await debianCloudKernel() : undefined;
  const oursTrivial: number[] = [];
  const debianTrivial: number[] = [];
  for (let i = 0; i < n; i++) {
    oursTrivial.push(await trivialBoot(kernel.image.path, trivial, images.squashfs.path, accel.accel, sock));
    if (debian) debianTrivial.push(await trivialBoot(debian.path, trivial, images.squashfs.path, accel.accel, sock));
    log(`trivial init ${i + 1}/${n}: ours ${oursTrivial.at(-1)} ms${debian ? `, debian ${debianTrivial.at(-1)} ms` : ''}`);
  }
  await listener.close();

  const qemuVersion = execFileSync(QEMU_BINARY[arch], ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const cpu = /^model name\s*:\s*(.*)$/m.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const verdict = pick((r) => r.timings.msToVerdict);
  const out = {
    dimensions: {
      arch,
      accel: accel.accel,
      accelReason: accel.reason,
      kernel: kernel.kernelRelease,
      doctorRuntime: doctorRuntimeKind(),
      memoryMiB: memoryMiB ?? 'default',
      qemu: qemuVersion,
      hostCpu: cpu,
      hostLoad: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' '),
      n,
    },
    guest: {
      msToVerdict: verdict,
      msToInit: pick((r) => r.timings.msToInit),
      phases: Object.fromEntries(PHASES.map((k) => [k, pick((r) => r.timings.phases?.[k])])),
    },
    trivialInit: {
      ours: stats(oursTrivial),
      ...(debian ? { debianCloud: { package: debian.package, ...stats(debianTrivial) } } : {}),
    },
    sizes: {
      kernelBytes: kernel.image.sizeBytes,
      squashfsBytes: images.squashfs.sizeBytes,
      initramfsBytes: images.initramfs.sizeBytes,
      ...(debian ? { debianKernelBytes: (await readFile(debian.path)).length } : {}),
    },
    ...(debian
      ? {
          // Ours over Debian's cloud kernel to a trivial init, medians of the same run (targets: verdict <= 1/3, init <= 1/4).
          ratiosToDebianTrivialInit: {
            verdict: ratio(verdict!.median, stats(debianTrivial)!.median),
            toInit: ratio(pick((r) => r.timings.msToInit)!.median, stats(debianTrivial)!.median),
            oursTrivialInit: ratio(stats(oursTrivial)!.median, stats(debianTrivial)!.median),
          },
          targets: {
            verdictAtMostThirdOfDebianTrivialInit: verdict!.median * 3 <= stats(debianTrivial)!.median,
            trivialInitAtMostQuarterOfDebian: stats(oursTrivial)!.median * 4 <= stats(debianTrivial)!.median,
          },
        }
      : {}),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
} finally {
  await rm(dir, { recursive: true, force: true });
}
