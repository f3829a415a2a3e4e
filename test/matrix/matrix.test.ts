// `npm run test:matrix`: every verified kernel series x arch compiled and
// booted, each with the doctor's verdict, and the other toolchain (not the
// default) on the default series, both arches, with kCFI proven on x86_64 where a toolchain builds it. Too slow for every `npm test` on a
// 2-core machine (a clean compile is 4-6 min per kernel); `npm test` covers the
// default series this way and the others at configure level (survival, audit,
// differential). Figures (image size, =y count, compile time, boot-to-verdict)
// are printed at the end, never asserted.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { ARCHS, DEFAULT_KERNEL, DEFAULT_TOOLCHAIN, KERNELS, TOOLCHAINS, type Arch, type Toolchain } from '../../src/policy/index.ts';
import { claimsFor } from '../../src/prove/index.ts';
import { captureIO } from '../helpers/io.ts';

let dir: string;
const figures: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-matrix-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  if (figures.length) console.log(['kernel matrix:', ...figures.map((l) => `  ${l}`)].join('\n'));
});

async function cli(args: string[]): Promise<{ code: number; json: Record<string, any>; err: string }> {
  const io = captureIO();
  io.env = process.env;
  io.cwd = dir;
  const code = await run(args, io);
  return { code, json: io.out ? JSON.parse(io.out) : {}, err: io.err };
}

async function buildAndBoot(kernel: string, arch: Arch, toolchain: Toolchain): Promise<void> {
  const out = join(dir, `${kernel}-${arch}-${toolchain}`);
  const build = await cli(['build', '--arch', arch, '--kernel', kernel, '--toolchain', toolchain, '--out', out, '--json']);
  expect(build.code, build.err).toBe(0);
  expect(build.json.kernelVersion).toBe(kernel);
  expect(build.json.toolchain.name).toBe(toolchain);
  expect(build.json.survival.casualties).toBe(0);
  expect(build.json.audit.fail).toBe(0);

  const boot = await cli(['boot', '--arch', arch, '--kernel', build.json.image.path, '--json']);
  figures.push(
    `${kernel} ${arch} ${toolchain}: ${build.json.image.format} ${build.json.image.sizeBytes} bytes, ${build.json.enabledOptions} =y, ` +
      `audit ${build.json.audit.pass} pass / ${build.json.audit.waived} waived, ` +
      `compile ${build.json.buildSeconds} s${build.json.incremental ? ' (incremental)' : ''}${build.json.cached ? ' (cache hit; the figure is the original build)' : ''}, ` +
      `boot-to-verdict ${boot.json.timings?.msToVerdict ?? '?'} ms (${boot.json.accel}), ${boot.json.healthy ? 'HEALTHY' : `UNHEALTHY: ${boot.json.reason}`}`,
  );
  expect(boot.json.reason, boot.err).toBeUndefined();
  expect(boot.code).toBe(0);
  expect(boot.json.healthy).toBe(true);
  expect(boot.json.doctor.checks.filter((c: { status: string }) => c.status !== 'pass')).toEqual([]);
}

describe.each(KERNELS.flatMap((kernel) => ARCHS.map((arch) => [kernel, arch] as const)))('Linux %s %s', (kernel, arch) => {
  it(`compiles with ${DEFAULT_TOOLCHAIN}, zero casualties and a passing audit, boots, and the doctor is healthy`, () =>
    buildAndBoot(kernel, arch, DEFAULT_TOOLCHAIN));
});

const OTHER_TOOLCHAINS = TOOLCHAINS.filter((t) => t !== DEFAULT_TOOLCHAIN).flatMap((toolchain) => ARCHS.map((arch) => [toolchain, arch] as const));
describe.each(OTHER_TOOLCHAINS)(`Linux ${DEFAULT_KERNEL} with %s, %s`, (toolchain, arch) => {
  it('compiles with zero casualties and a passing audit, boots, and the doctor is healthy', () =>
    buildAndBoot(DEFAULT_KERNEL, arch, toolchain));
});

// kCFI exists only where the compiler builds it: each such toolchain proves it on x86_64, where the control is
// cfi=off on the proving kernel itself (no second compile; src/prove/kernel.ts). arm64's full clang proof
// (CFI_BACKWARD, CORRUPT_PAC, ...) is `capsem-kernel prove --arch arm64 --toolchain clang`.
const KCFI_TOOLCHAINS = TOOLCHAINS.filter((t) => claimsFor('x86_64', t).some((c) => c.test.name === 'CFI_FORWARD_PROTO'));
describe.each(KCFI_TOOLCHAINS)(`Linux ${DEFAULT_KERNEL} with %s, x86_64: kCFI`, (toolchain) => {
  it('blocks CFI_FORWARD_PROTO, and the control lets it through', async () => {
    const r = await cli(['prove', '--arch', 'x86_64', '--toolchain', toolchain, '--only', 'CFI_FORWARD_PROTO', '--json']);
    figures.push(`prove x86_64 ${toolchain} CFI_FORWARD_PROTO: ${r.json.runs?.map((x: { kind: string; verdict: string; line?: string }) => `${x.kind} ${x.verdict} "${x.line ?? ''}"`).join('; ')}`);
    expect(r.code, r.err).toBe(0);
    expect(r.json.runs.map((x: { kind: string; verdict: string }) => `${x.kind}:${x.verdict}`)).toEqual(['proof:blocked', 'control:not-blocked']);
  });
});
