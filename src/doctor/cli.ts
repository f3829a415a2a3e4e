// capsem-doctor's command line. It runs inside the guest from one bundled file
// and imports nothing of capsem-kernel's CLI: parse, run, format, send.
// Exit codes: 0 healthy, 1 a check failed or errored, 2 usage/input/environment, 70 a bug in the doctor.

import { readFileSync, writeFileSync } from 'node:fs';
import { type CheckName, GUEST } from '../policy/index.ts';
import { parseFlags } from '../util/flags.ts';
import { encodeFrame } from './channel.ts';
import { type DoctorEnv, errnoCode, guestPathMapper, hostArch, hostEnv } from './env.ts';
import { MAGIC } from './needs.ts';
import { ALL_CHECKS, REGISTRY } from './registry.ts';
import { FORMATTERS } from './reporters.ts';
import { runDoctor } from './runner.ts';
import { markNow, parseBootTimings, runtimeMarks } from './timings.ts';
import type { BootTiming } from './types.ts';

/** Bad command line or input file: one line on stderr, exit 2. */
class DoctorUsageError extends Error {}

export interface DoctorIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const OPTIONS = {
  root: { type: 'string', hint: 'DIR', help: 'check the guest tree at DIR instead of / (development)' },
  proc: { type: 'string', hint: 'DIR', help: 'where /proc is (default: ROOT/proc)' },
  sys: { type: 'string', hint: 'DIR', help: 'where /sys is (default: ROOT/sys)' },
  dev: { type: 'string', hint: 'DIR', help: 'where /dev is (default: ROOT/dev)' },
  probe: { type: 'string', hint: 'PATH', help: `the syscall probe (default: ${GUEST.capsemBinDir}/capsem-probe, its calls made in-process where the runtime has them)` },
  only: { type: 'string', hint: 'NAME,...', help: 'run only these checks' },
  json: { type: 'boolean', help: 'print the report as JSON' },
  tap: { type: 'boolean', help: 'print the report as TAP 13' },
  junit: { type: 'string', hint: 'FILE', help: 'also write a JUnit XML report to FILE' },
  quiet: { type: 'boolean', help: 'print no report on stdout (with --send the frame carries it: no text formatted, none written to the console)' },
  send: { type: 'boolean', help: `write the framed report to the virtio-serial port named ${GUEST.resultPort}` },
  timings: { type: 'string', hint: 'FILE', help: "include the init's stage timings (lines '<stage> <ms since boot>')" },
  'fs-facts': {
    type: 'string',
    hint: 'FILE',
    help: 'development only: take statfs answers from FILE ({"/proc": "proc", ...}) for a fixture tree; never with --send',
  },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, o]) => {
    const flag = `--${name}${'hint' in o ? ` ${o.hint}` : ''}`;
    return `  ${flag.padEnd(22)} ${o.help}`;
  });
  return [
    'Usage: capsem-doctor [options]',
    '',
    'Proves, from inside the guest, every runtime property of the capsem hardening policy.',
    'Each check passes, fails, or errors (when what it needs cannot be proven); healthy means all passed.',
    '',
    'Options:',
    ...rows,
    '',
    'Exit codes: 0 healthy, 1 a check failed or errored, 2 usage, input or environment error, 70 a bug in the doctor.',
    '',
  ].join('\n');
}

const FACT_NAMES: Record<string, number> = { proc: MAGIC.proc, sysfs: MAGIC.sysfs, tmpfs: MAGIC.tmpfs, ramfs: MAGIC.ramfs };

function readFsFacts(file: string): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DoctorUsageError(`${file}: ${errnoCode(e) ?? (e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DoctorUsageError(`${file}: expected an object of mount point -> filesystem`);
  }
  const facts: Record<string, number> = {};
  for (const [mp, v] of Object.entries(json)) {
    const magic = typeof v === 'number' ? v : FACT_NAMES[String(v)];
    if (magic === undefined) {
      throw new DoctorUsageError(`${file}: ${mp}: unknown filesystem ${JSON.stringify(v)} (one of ${Object.keys(FACT_NAMES).join(', ')} or a number)`);
    }
    facts[mp] = magic;
  }
  return facts;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new DoctorUsageError(`${file}: ${errnoCode(e) ?? (e as Error).message}`);
  }
}

/** The /dev node of the virtio-serial port named GUEST.resultPort, as a guest path. */
function findResultPort(env: DoctorEnv): string {
  const dir = '/sys/class/virtio-ports';
  let ports: string[];
  try {
    ports = env.fs.readdir(dir);
  } catch (e) {
    throw new DoctorUsageError(`--send: ${dir}: ${errnoCode(e) ?? (e as Error).message}`);
  }
  for (const p of ports.sort()) {
    try {
      if (env.fs.readFile(`${dir}/${p}/name`).toString('utf8').trim() === GUEST.resultPort) return `/dev/${p}`;
    } catch {
      // A port without a readable name is not ours.
    }
  }
  throw new DoctorUsageError(`--send: no virtio-serial port named ${GUEST.resultPort} in ${dir} (${ports.length} ports)`);
}

/** Runs one command line; returns the exit code (tests call this; entry.ts sets process.exitCode). */
export function main(argv: string[], io: DoctorIO): number {
  try {
    return run(argv, io);
  } catch (e) {
    if (e instanceof DoctorUsageError) {
      io.stderr(`capsem-doctor: ${e.message}\n`);
      return 2;
    }
    // A check that throws is already an `error` result; reaching here is a bug in the doctor itself.
    io.stderr(`capsem-doctor: internal error (a bug, exit 70); please report it with this trace:\n${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  }
}

function run(argv: string[], io: DoctorIO): number {
  let values;
  try {
    values = parseFlags(argv, OPTIONS);
  } catch (e) {
    throw new DoctorUsageError(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) {
    io.stdout(helpText());
    return 0;
  }
  if (values.json && values.tap) throw new DoctorUsageError('--json and --tap are exclusive (see --help)');
  if (values.send && values['fs-facts']) throw new DoctorUsageError('--fs-facts simulates the kernel: its verdict is never sent');
  const arch = hostArch();
  if (!arch) throw new DoctorUsageError(`unsupported arch ${process.arch} (x64 or arm64)`);

  let checks = ALL_CHECKS;
  if (values.only !== undefined) {
    const names = values.only.split(',').filter(Boolean);
    const unknown = names.filter((n) => !(n in REGISTRY));
    if (unknown.length || names.length === 0) {
      throw new DoctorUsageError(`--only: unknown check ${unknown.join(', ') || '(none given)'} (see --help)`);
    }
    checks = ALL_CHECKS.filter((c) => names.includes(c.name as CheckName));
  }
  let bootTimings: BootTiming[] | undefined;
  if (values.timings !== undefined) {
    try {
      bootTimings = parseBootTimings(readText(values.timings), values.timings);
    } catch (e) {
      throw e instanceof DoctorUsageError ? e : new DoctorUsageError((e as Error).message);
    }
  }
  const dirs = { root: values.root ?? '/', proc: values.proc, sys: values.sys, dev: values.dev };
  const env = hostEnv({
    ...dirs,
    probePath: values.probe ?? `${GUEST.capsemBinDir}/capsem-probe`,
    // A probe named on the command line answers everything itself; the default one's calls run in this process when the runtime can.
    inProcessProbe: values.probe === undefined,
    arch,
    ...(values['fs-facts'] ? { statfsFacts: readFsFacts(values['fs-facts']) } : {}),
  });
  let report;
  try {
    report = runDoctor(env, checks, bootTimings ? { bootTimings } : {});
  } finally {
    env.cleanup();
  }
  const checksDone = markNow('checks-done');

  if (!values.quiet) io.stdout(FORMATTERS[values.json ? 'json' : values.tap ? 'tap' : 'text'](report));
  if (values.junit !== undefined) {
    try {
      writeFileSync(values.junit, FORMATTERS.junit(report));
    } catch (e) {
      throw new DoctorUsageError(`--junit ${values.junit}: ${errnoCode(e) ?? (e as Error).message}`);
    }
  }
  if (values.send) {
    // The doctor's own marks; the last, taken as the frame leaves, is what the
    // host pins its clock to, to split QEMU start -> kernel -> init -> doctor.
    report = { ...report, bootTimings: [...(report.bootTimings ?? []), ...runtimeMarks(), checksDone, markNow('doctor-sent')] };
    const port = findResultPort(env);
    try {
      writeFileSync(guestPathMapper(dirs)(port), encodeFrame(report));
    } catch (e) {
      throw new DoctorUsageError(`--send ${port}: ${errnoCode(e) ?? (e as Error).message}`);
    }
    io.stderr(`capsem-doctor: report sent to ${port}\n`);
  }
  return report.healthy ? 0 : 1;
}
