import { progressLog } from '../../build/index.ts';
import { type ProveResult, type Run, prove } from '../../prove/index.ts';
import { ARCHS, DEFAULT_KERNEL } from '../../policy/index.ts';
import { CheckFailedError } from '../../util/errors.ts';
import { defineCommand } from '../command.ts';
import { printable } from '../report.ts';
import { TARGET_ARGS, requireKernel } from '../args.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function runLine(r: Run): string {
  const mark = r.ok ? 'ok  ' : 'FAIL';
  const deciding = r.line ? `"${printable(r.line)}"` : `(${r.why})`;
  return `  ${mark} ${r.rule.padEnd(22)} ${r.test.padEnd(26)} ${r.kind.padEnd(7)} ${r.verdict.padEnd(12)} ${seconds(r.ms).padStart(7)}  ${deciding}`;
}

function report(r: ProveResult): string {
  const s = r.summary;
  return [
    `prove ${r.arch} ${r.toolchain}: ${r.ok ? 'PROVEN' : 'NOT PROVEN'}: ${s.proven}/${s.claimed} claimed attacks blocked with a failing control; ` +
      `${s.notBlocked} not blocked, ${s.inconclusive} inconclusive, ${s.controlsFailing}/${s.controls} controls wrong (${seconds(r.totalMs)})`,
    `  accel     ${r.accel.accel} (${r.accel.reason})`,
    `  shipped   ${r.shipped.release} (image sha256 ${r.shipped.sha256.slice(0, 12)}: \`up\` shows this proof for it)`,
    `  proving   ${r.proving.release} (audit differs only in: ${r.proving.auditFailures.join('; ') || 'nothing'})`,
    `  weakened  ${r.weakened.release}`,
    `       rule                   test                       kind    verdict         boot  deciding line`,
    ...r.runs.map(runLine),
    `  not run:`,
    ...r.skipped.map((k) => `    ${k.names.join(', ')}: ${k.why}`),
  ].join('\n') + '\n';
}

export default defineCommand({
  name: 'prove',
  summary: 'Run LKDTM attacks on the proving kernel: each claimed mitigation must block its attack, and fail to on the control',
  description: `
Builds the proving kernel (the policy plus DEBUG_FS and LKDTM; its audit and .config may differ
from the shipped kernel's only in those) and the weakened proving kernel (each proved mitigation
off), then for every LKDTM test the policy's rules claim (their \`proofs\`) boots each kernel once
with lkdtm.cpoint_name=DIRECT lkdtm.cpoint_type=TEST and reads the console: blocked, not blocked or
inconclusive. The boots are independent and run two at a time where there are two cores (one
emulated vCPU each); each prints a line as it ends. The result is kept under the shipped kernel's image sha256
(~/.cache/capsem-kernel/proofs/), and \`up\` shows it for that kernel.
Exit 0 only when every claimed attack is blocked and every control is not blocked; 1 otherwise.`,
  args: {
    arch: { type: 'string', description: 'Guest architecture', choices: ARCHS, default: 'x86_64' },
    kernel: { type: 'string', description: 'Kernel series (the LKDTM tables are 6.12\'s: other series may be inconclusive)', valueHint: 'MAJOR.MINOR', default: DEFAULT_KERNEL },
    toolchain: { ...TARGET_ARGS.toolchain, description: 'Compiler of all three kernels (clang also claims kCFI, and on arm64 the shadow call stack)' },
    only: { type: 'string', description: 'Only these LKDTM tests (comma-separated) of the policy\'s claims', valueHint: 'TEST,...' },
    accel: { type: 'string', description: 'auto, kvm or tcg (as `boot`)', choices: ['auto', 'kvm', 'tcg'], default: 'auto' },
    json: { type: 'boolean', description: 'One JSON object on stdout' },
  },
  examples: ['capsem-kernel prove --arch x86_64', 'capsem-kernel prove --arch x86_64 --toolchain clang --only CFI_FORWARD_PROTO', 'capsem-kernel prove --arch arm64 --only CORRUPT_PAC,ARRAY_BOUNDS --json'],
  async run({ args, io }) {
    const progress = progressLog(io.stderr, 'prove: kernel');
    let result: ProveResult;
    try {
      result = await prove({
        arch: args.arch,
        kernel: requireKernel(args.kernel, 'prove', io),
        toolchain: args.toolchain,
        ...(args.only ? { only: args.only.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
        accel: args.accel,
        signal: io.signal,
        onProgress: progress.onProgress,
        onRun: (r) => io.stderr(`prove:${runLine(r)}\n`),
      });
    } finally {
      progress.stop();
    }
    io.stdout(args.json ? JSON.stringify(result, null, 2) + '\n' : report(result));
    if (!result.ok) {
      const s = result.summary;
      throw new CheckFailedError(`prove ${result.arch} ${result.toolchain}: ${s.claimed - s.proven} of ${s.claimed} claims not proven`);
    }
    return 0;
  },
});
