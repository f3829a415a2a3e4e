import { type BootResult, type GuestImages, describeFinding } from '../guest/index.ts';

// How results are printed, shared by the commands that show a boot.

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

const ms = (n: number | undefined) => (n === undefined ? '?' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n} ms`);

/**
 * Guest-supplied text made safe for a terminal: control characters (C0, DEL, C1)
 * become visible escapes, so a file name with escape codes cannot redraw the
 * operator's screen. The JSON output keeps the original (escaped by JSON).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * What the scan of a `--base` root found (before anything was changed) and what
 * --enforce changed: every path, one line each. Empty for our own base.
 */
export function describeBase(g: GuestImages): string {
  const b = g.manifest.base;
  if (!b) return '';
  const lines = [
    `base ${b.kind} ${printable(b.path)}: ${b.findings.length ? `${b.findings.length} finding(s) against the guest rules` : 'nothing breaks the guest rules'}`,
    ...b.findings.map((f) => `  finding    ${printable(describeFinding(f))}`),
    ...g.manifest.enforced.map((c) => `  enforced   ${printable(c)}`),
    `  capsem layer ${g.manifest.layer.files} files, ${g.manifest.layer.bytes} bytes (${mib(g.manifest.layer.bytes)})`,
  ];
  if (b.findings.length && !b.enforce) lines.push('  kept as found (no --enforce): the doctor in this guest fails on exactly these');
  if (b.enforce) lines.push(`  re-checked: ${g.manifest.findings.length ? g.manifest.findings.join('; ') : 'clean'}`);
  return lines.join('\n') + '\n';
}

/** The doctor's verdict and the boot, as text: every non-pass check with its evidence (`allChecks`: passes too, one line each). */
export function describeBoot(r: BootResult, allChecks = false): string {
  return describeLines(r, allChecks).map(printable).join('\n') + '\n';
}

function describeLines(r: BootResult, allChecks: boolean): string[] {
  const t = r.timings;
  const lines = [
    r.healthy ? `guest ${r.arch}: HEALTHY` : `guest ${r.arch}: UNHEALTHY: ${r.reason ?? 'unknown'}`,
    `  accel     ${r.accel.accel} (${r.accel.reason})`,
  ];
  const p = t.phases ?? {};
  const steps = [
    ['QEMU start', undefined],
    ['kernel', p.qemuToKernel],
    ['init', p.kernelToInit],
    ['doctor', p.initToDoctor],
    ['verdict', p.doctor],
  ] as const;
  const chain = steps.map(([name, d], i) => (i === 0 ? name : `-> ${name} ${ms(d)}`)).join(' ');
  lines.push(`  boot      ${chain} (to init ${ms(t.msToInit)}, to verdict ${ms(t.msToVerdict)}; VM ran ${ms(t.msToExit)})`);
  const rep = r.report;
  if (rep) {
    lines.push(`  kernel    ${rep.kernelRelease} (${rep.boot.kernelVersion}), boot id ${rep.boot.bootId}, nonce ${rep.boot.nonce ?? '(none)'}`);
    lines.push(`  doctor    ${rep.summary.passed} passed, ${rep.summary.failed} failed, ${rep.summary.errors} errors (${rep.checks.length} checks)`);
    for (const c of rep.checks) {
      if (c.status === 'pass') {
        if (allChecks) lines.push(`    pass  ${c.name}`);
        continue;
      }
      lines.push(`    ${c.status.toUpperCase().padEnd(5)} ${c.name}${c.reason ? ` (${c.reason})` : ''}`);
      for (const e of c.evidence) lines.push(`          ${e}`);
    }
  }
  for (const w of r.warnings) lines.push(`  warning   ${w}`);
  if (!r.healthy && r.consoleTail) {
    lines.push('  console (last lines; logs only, never evidence):', ...r.consoleTail.split('\n').map((l) => `    | ${l}`));
  }
  return lines;
}

/**
 * A boot for --json, the one shape of a boot result: `boot --json` prints it, `up --json` prints it with
 * the build summary beside it (UpJson). The verdict, the doctor's report, timings; the console only when unhealthy.
 */
export interface BootJson {
  healthy: boolean;
  reason?: string;
  arch: BootResult['arch'];
  accel: BootResult['accel']['accel'];
  accelReason: string;
  cmdline: string;
  nonce: string;
  warnings?: string[];
  timings: BootResult['timings'];
  doctor?: NonNullable<BootResult['report']>;
  qemu: BootResult['qemu'];
  consoleTail?: string;
}

export function bootJson(r: BootResult): BootJson {
  return {
    healthy: r.healthy,
    ...(r.reason ? { reason: r.reason } : {}),
    arch: r.arch,
    accel: r.accel.accel,
    accelReason: r.accel.reason,
    cmdline: r.cmdline,
    nonce: r.nonce,
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
    timings: r.timings,
    ...(r.report ? { doctor: r.report } : {}),
    qemu: r.qemu,
    ...(r.healthy ? {} : { consoleTail: r.consoleTail }),
  };
}
