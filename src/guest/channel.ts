import { type Server, type Socket, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeFrame } from '../doctor/channel.ts';
import type { DoctorReport } from '../doctor/types.ts';
import { type Arch, CHECKS, GUEST } from '../policy/index.ts';

// The host end of the result channel. QEMU connects the guest's
// `org.capsem.doctor` virtio-serial port to a Unix socket we listen on; the
// doctor writes one frame there. Only that port is trusted: the console
// carries logs any guest process can forge. The host decides health itself
// from the checks, and any missing, truncated, malformed or incomplete result
// is unhealthy, with the reason.

/** Never buffer more than this from a guest (a report is a few tens of KB). */
export const MAX_RESULT_BYTES = 4 * 1024 * 1024;

export class ResultListener {
  private chunks: Buffer[] = [];
  private size = 0;
  private socket: Socket | undefined;
  /** performance.now() of the first and last byte received. */
  firstByteAt: number | undefined;
  lastByteAt: number | undefined;
  connected = false;
  overflow = false;

  private constructor(private readonly server: Server) {}

  static async listen(path: string): Promise<ResultListener> {
    const server = createServer();
    const listener = new ResultListener(server);
    server.on('connection', (s) => listener.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  private accept(s: Socket): void {
    // One guest, one connection: QEMU's. Anything else is refused.
    if (this.socket) {
      s.destroy();
      return;
    }
    this.socket = s;
    this.connected = true;
    s.on('data', (d: Buffer) => {
      const now = performance.now();
      this.firstByteAt ??= now;
      this.lastByteAt = now;
      if (this.size + d.length > MAX_RESULT_BYTES) {
        this.overflow = true;
        return;
      }
      this.chunks.push(d);
      this.size += d.length;
    });
    s.on('error', () => {});
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type Verdict =
  | { ok: true; healthy: boolean; report: DoctorReport; reason?: string }
  | { ok: false; healthy: false; reason: string };

/**
 * What the host makes of the bytes that arrived on the result port. A valid
 * frame is still unhealthy unless every check the policy names is there and
 * passed (the report's own `healthy` flag is not taken on trust).
 */
export function verdictFrom(bytes: Buffer, expect: { arch: Arch; overflow?: boolean }): Verdict {
  const port = GUEST.resultPort;
  if (expect.overflow) return { ok: false, healthy: false, reason: `the guest sent more than ${MAX_RESULT_BYTES} bytes on ${port}` };
  if (bytes.length === 0) return { ok: false, healthy: false, reason: `no result: the guest sent nothing on ${port}` };
  const decoded = decodeFrame(bytes);
  if (!decoded.ok) return { ok: false, healthy: false, reason: `malformed result on ${port}: ${decoded.reason}` };
  const report = decoded.report;
  const problems: string[] = [];
  if (report.arch !== expect.arch) problems.push(`the report is for arch ${report.arch}, the guest is ${expect.arch}`);
  const seen = new Set(report.checks.map((c) => c.name));
  const missing = CHECKS.map((c) => c.name).filter((n) => !seen.has(n));
  if (missing.length) problems.push(`checks missing from the report: ${missing.join(', ')}`);
  const notPassed = report.checks.filter((c) => c.status !== 'pass');
  if (notPassed.length) {
    problems.push(`${notPassed.length} check(s) did not pass: ${notPassed.map((c) => `${c.name} (${c.status})`).join(', ')}`);
  }
  if (!report.healthy && problems.length === 0) problems.push('the doctor reported unhealthy');
  if (problems.length) return { ok: true, healthy: false, report, reason: problems.join('; ') };
  return { ok: true, healthy: true, report };
}
