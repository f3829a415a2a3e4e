import { GUEST } from '../../policy/index.ts';
import { type CheckContext, defineCheck, fail, pass, quote } from '../define.ts';
import { type ProcessEntry, describeProcess, processTable } from '../kinds.ts';
import { must } from '../observe.ts';

const INIT = `${GUEST.capsemBinDir}/capsem-init`;
const PROBE = `${GUEST.capsemBinDir}/capsem-probe`;

/** argv from /proc/PID/cmdline (NUL-separated). */
function argv(ctx: CheckContext, pid: string): string[] {
  return must(ctx.text(`/proc/${pid}/cmdline`), `/proc/${pid}/cmdline`).split('\0').filter(Boolean);
}

/** argv for evidence; a process that ended meanwhile says so. */
function shownArgv(ctx: CheckContext, pid: string): string {
  const t = ctx.text(`/proc/${pid}/cmdline`);
  return t.ok ? quote(t.value.split('\0').filter(Boolean).join(' ')) : t.code;
}

/** What an allowed process is, or undefined. A kernel thread is PF_KTHREAD in its stat flags: a name proves nothing. */
function roleOf(ctx: CheckContext, p: ProcessEntry): string | undefined {
  if (p.pid === String(ctx.pid)) return 'the doctor';
  if (p.kthread) return 'kernel thread';
  if (p.pid === '1' && argv(ctx, '1').includes(INIT)) return 'the init';
  if (p.exe.ok && p.exe.value === PROBE) return 'the probe';
  return undefined;
}

// The spec's checks look for three names; this is the proof they stand for:
// every process is one the guest is known to run, anything else fails by its identity.
export default defineCheck({
  name: 'test_process_allowlist',
  needs: ['procfs'],
  reasons: { 'process-not-allowed': 'a process is none of the init, the doctor, its probe or a kernel thread' },
  run(ctx) {
    const table = processTable(ctx);
    const counts = new Map<string, number>();
    const extra: string[] = [];
    for (const p of table) {
      const role = roleOf(ctx, p);
      if (role) counts.set(role, (counts.get(role) ?? 0) + 1);
      else extra.push(`not allowed: ${describeProcess(p)}, cmdline ${shownArgv(ctx, p.pid)}`);
    }
    const evidence = [
      `scanned ${table.length} processes in /proc: ${[...counts].map(([r, n]) => `${r} ${n}`).join(', ')} (policy: only the init ${INIT}, the doctor, ${PROBE}, kernel threads)`,
      ...extra,
    ];
    return extra.length ? fail('process-not-allowed', evidence) : pass(evidence);
  },
});
