// docs/doctor.md, generated from the policy and the checks' own metadata
// (`capsem-kernel generate` writes it; test/policy/generated.test.ts fails on drift). Not part
// of the guest bundle: nothing in entry.ts imports it.

import { CHECKS, type CheckName, type CheckSpec, RULES, SECTIONS } from '../policy/index.ts';
import { helpText } from './cli.ts';
import { SHARED_REASONS, rulesNaming } from './define.ts';
import { NEEDS, needClosure } from './needs.ts';
import { REGISTRY } from './registry.ts';

export const DOCTOR_DOC_PATH = 'docs/doctor.md';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderDoctorDocs(): string {
  const out: string[] = [
    '# capsem-doctor',
    '',
    '<!-- Generated from src/policy and src/doctor by src/doctor/docs.ts; do not edit. -->',
    '<!-- Regenerate: capsem-kernel generate (test/policy/generated.test.ts fails on drift) -->',
    '',
    'capsem-doctor runs inside the guest (PID 1 starts it before anything else) and decides whether the VM is',
    'healthy. Each check is one file, `src/doctor/checks/<name>.ts`; the rules it verifies come from the policy.',
    '',
    '- **pass**: the property holds, and the evidence says what was read.',
    '- **fail**: the property does not hold; the reason id says which way.',
    '- **error**: the check could not prove anything: a precondition did not hold or something could not be read.',
    '  Never a pass. **Healthy means every check passed.**',
    '',
    'Checks whose every rule the policy waives on this target are not run; the report lists them under `skipped`.',
    '',
    '## Rules and the checks that verify them',
    '',
    '| Rule | Section | Check | What passing proves |',
    '|---|---|---|---|',
  ];
  for (const rule of RULES) {
    for (const check of (rule.checks ?? []) as readonly string[]) {
      const spec = CHECKS.find((c) => c.name === check)!;
      const archs = rule.archs ? ` (${rule.archs.join(', ')})` : '';
      out.push(`| \`${rule.id}\`${archs} | ${SECTIONS[rule.section]} | \`${check}\` | ${cell(spec.proves)} |`);
    }
  }

  out.push('', '## Preconditions', '', 'Proven once per run, before any check that needs them.', '');
  out.push('| Need | Proves | Reason when it does not hold |', '|---|---|---|');
  for (const [id, need] of Object.entries(NEEDS)) {
    const req = need.requires.length ? ` (after ${need.requires.join(', ')})` : '';
    out.push(`| \`${id}\`${req} | ${cell(need.proves)} | \`${need.reason}\` |`);
  }

  out.push('', '## Checks', '');
  out.push('Any check may also report the shared reasons:', '');
  for (const [id, text] of Object.entries(SHARED_REASONS)) out.push(`- \`${id}\`: ${text}`);
  for (const spec of CHECKS as readonly CheckSpec[]) {
    const check = REGISTRY[spec.name as CheckName];
    out.push('', `### \`${spec.name}\``, '');
    if (spec.specWhat) out.push(`Spec: "${spec.specWhat}".`);
    out.push(`Proves: ${spec.proves}.`, '');
    out.push(`Rules: ${rulesNaming(spec.name).map((r) => `\`${r.id}\``).join(', ')}.`);
    out.push(`Needs: ${needClosure(check.needs).map((n) => `\`${n}\``).join(', ') || 'nothing'}.`, '');
    for (const [id, text] of Object.entries(check.reasons as Record<string, string>)) out.push(`- \`${id}\`: ${text}`);
  }

  out.push(
    '',
    '## Command line',
    '',
    '```',
    helpText().trimEnd(),
    '```',
    '',
    '## Result channel',
    '',
    '`capsem-doctor --send` finds the virtio-serial port whose `/sys/class/virtio-ports/*/name` is the policy\'s',
    'result port and writes one frame to its `/dev` node (src/doctor/channel.ts):',
    '',
    '```',
    'CAPSEM-RESULT v1 <payload byte length> <sha256 of the payload, lowercase hex>\\n',
    '<payload: the DoctorReport as UTF-8 JSON>',
    '```',
    '',
    'The host (`decodeFrame`) accepts exactly one frame: the header line, exactly that many bytes, the hash, JSON,',
    'and a DoctorReport whose `healthy` and `summary` agree with the check statuses. Anything else is rejected',
    'with a reason. `expectedFrameLength(buf)` tells a stream reader how many bytes to wait for.',
    '',
    '## Boot timings',
    '',
    '`--timings FILE` puts the init\'s stage marks into the report (`bootTimings`). One line per stage,',
    '`<stage> <ms>`: a name (`[A-Za-z0-9_.-]+`) and the milliseconds since the kernel started (from',
    '`/proc/uptime`) when the stage began, e.g. `rootfs 830`. Blank lines are ignored; any other line is an',
    'input error (exit 2, with file and line).',
    '',
    '## The syscall probe',
    '',
    'Node cannot issue arbitrary syscalls, so a tiny static helper does (src/doctor/probe/capsem-probe.c):',
    '`capsem-probe syscall <name>` prints `<ret> <errno>` for bpf, io_uring_setup, userfaultfd, kexec_load,',
    'kexec_file_load, init_module, finit_module (harmless arguments) and getpid (the control);',
    '`capsem-probe exec <path>` calls execve directly and prints the errno if it returns. It is static against',
    "musl: Debian's musl-dev for the arch, extracted into MUSL_DEV (the image build fetches it). Build it with",
    '',
    '```',
    'src/doctor/probe/build.sh x86_64 MUSL_DEV OUT   # gcc -static -Os, musl-dev\'s musl-gcc.specs',
    'src/doctor/probe/build.sh arm64 MUSL_DEV OUT    # aarch64-linux-gnu-gcc -static -Os, the same',
    '```',
    '',
    'and install it as `/usr/local/bin/capsem-probe`, mode 0555. The 32-bit test executables (i386 on x86_64,',
    'AArch32 on arm64, each calling exit(42)) are generated as bytes by src/doctor/elf.ts at run time.',
    '',
  );
  return out.join('\n');
}
