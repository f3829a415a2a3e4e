// The result channel's framing: what `capsem-doctor --send` writes to the
// virtio-serial port and what the host accepts. One ASCII header line, then
// the JSON report:
//
//   CAPSEM-RESULT v1 <payload byte length> <sha256 of payload, hex>\n<payload>
//
// The host trusts nothing it did not validate: header, length, hash, JSON and
// the DoctorReport shape (including that `healthy` and `summary` agree with
// the check statuses), so a truncated, corrupted or forged verdict is rejected.

import { createHash } from 'node:crypto';
import { type CheckStatus, type DoctorReport, REPORT_SCHEMA } from './types.ts';

export const FRAME_MAGIC = 'CAPSEM-RESULT v1';
const HEADER = /^CAPSEM-RESULT v1 (\d{1,9}) ([0-9a-f]{64})$/;
/** Longer than any valid header: "CAPSEM-RESULT v1 " + 9 digits + " " + 64 hex. */
const MAX_HEADER = 96;
export const MAX_PAYLOAD = 16 * 1024 * 1024;

export function encodeFrame(report: DoctorReport): Buffer {
  const payload = Buffer.from(JSON.stringify(report), 'utf8');
  const hash = createHash('sha256').update(payload).digest('hex');
  return Buffer.concat([Buffer.from(`${FRAME_MAGIC} ${payload.length} ${hash}\n`, 'ascii'), payload]);
}

type Header = { ok: true; headerBytes: number; length: number; sha256: string } | { ok: false; reason: string };

function parseHeader(buf: Buffer): Header | undefined {
  const nl = buf.subarray(0, MAX_HEADER).indexOf(0x0a);
  if (nl === -1) {
    if (buf.length >= MAX_HEADER) return { ok: false, reason: 'no frame header line' };
    const soFar = buf.toString('latin1');
    const prefix = FRAME_MAGIC.startsWith(soFar) || soFar.startsWith(FRAME_MAGIC);
    return prefix ? undefined : { ok: false, reason: 'no frame header line' };
  }
  const line = buf.subarray(0, nl).toString('latin1');
  const m = HEADER.exec(line);
  if (!m) return { ok: false, reason: `bad frame header ${JSON.stringify(line.slice(0, 80))}` };
  const length = Number(m[1]);
  if (length > MAX_PAYLOAD) return { ok: false, reason: `payload length ${length} exceeds ${MAX_PAYLOAD}` };
  return { ok: true, headerBytes: nl + 1, length, sha256: m[2]! };
}

/**
 * For stream readers: the total byte length of the frame that starts at
 * buf[0] once its header has arrived; undefined while the header is
 * incomplete; -1 when buf cannot be the start of a frame.
 */
export function expectedFrameLength(buf: Buffer): number | undefined {
  const h = parseHeader(buf);
  if (!h) return undefined;
  return h.ok ? h.headerBytes + h.length : -1;
}

export function decodeFrame(buf: Buffer): { ok: true; report: DoctorReport } | { ok: false; reason: string } {
  const h = parseHeader(buf) ?? { ok: false, reason: 'truncated frame header' };
  if (!h.ok) return h;
  const payload = buf.subarray(h.headerBytes);
  if (payload.length < h.length) return { ok: false, reason: `truncated payload: ${payload.length} of ${h.length} bytes` };
  if (payload.length > h.length) {
    // One boot, one verdict: a second frame is an attempt to replace the first.
    const rest = payload.subarray(h.length);
    if (rest.subarray(0, FRAME_MAGIC.length).toString('latin1') === FRAME_MAGIC) return { ok: false, reason: 'a second frame on the same boot' };
    return { ok: false, reason: `${payload.length - h.length} bytes after the payload` };
  }
  if (createHash('sha256').update(payload).digest('hex') !== h.sha256) return { ok: false, reason: 'payload sha256 mismatch' };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `payload is not JSON: ${(e as Error).message}` };
  }
  const problems = validateReport(json);
  if (problems.length) return { ok: false, reason: `not a DoctorReport: ${problems.slice(0, 5).join('; ')}` };
  return { ok: true, report: json as DoctorReport };
}

// ---- the DoctorReport schema, by hand -----------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;
const isStrArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'error'];

/** Every field: required ones must be there, nothing unknown may be. */
function shape(x: unknown, at: string, fields: Record<string, { test: (v: unknown) => boolean; optional?: boolean; what: string }>, out: string[]): x is Obj {
  if (!isObj(x)) {
    out.push(`${at}: not an object`);
    return false;
  }
  for (const [k, f] of Object.entries(fields)) {
    if (!Object.hasOwn(x, k)) {
      if (!f.optional) out.push(`${at}.${k}: missing`);
    } else if (!f.test(x[k])) out.push(`${at}.${k}: not ${f.what}`);
  }
  // Own keys only: `k in fields` would accept "constructor" or "__proto__" as known.
  for (const k of Object.keys(x)) if (!Object.hasOwn(fields, k)) out.push(`${at}.${k}: unknown field`);
  return true;
}

/** Problems with `x` as a DoctorReport (empty when valid). */
export function validateReport(x: unknown): string[] {
  const out: string[] = [];
  const ok = shape(
    x,
    'report',
    {
      schema: { test: (v) => v === REPORT_SCHEMA, what: `'${REPORT_SCHEMA}'` },
      healthy: { test: (v) => typeof v === 'boolean', what: 'a boolean' },
      arch: { test: isStr, what: 'a string' },
      kernelRelease: { test: isStr, what: 'a string' },
      boot: { test: isObj, what: 'an object' },
      checks: { test: Array.isArray, what: 'an array' },
      summary: { test: isObj, what: 'an object' },
      ms: { test: isMs, what: 'a duration' },
      skipped: { test: Array.isArray, optional: true, what: 'an array' },
      bootTimings: { test: Array.isArray, optional: true, what: 'an array' },
    },
    out,
  );
  if (!ok || out.length) return out;
  const r = x as unknown as DoctorReport;
  r.checks.forEach((c, i) =>
    shape(
      c,
      `checks[${i}]`,
      {
        name: { test: (v) => isStr(v) && v !== '', what: 'a name' },
        rules: { test: isStrArray, what: 'an array of rule ids' },
        status: { test: (v) => STATUSES.includes(v as CheckStatus), what: 'pass, fail or error' },
        evidence: { test: isStrArray, what: 'an array of strings' },
        reason: { test: isStr, optional: true, what: 'a string' },
        ms: { test: isMs, what: 'a duration' },
      },
      out,
    ),
  );
  if (shape(
    r.boot,
    'boot',
    {
      nonce: { test: (v) => v === null || isStr(v), what: 'a string or null' },
      cmdline: { test: isStr, what: 'a string' },
      kernelVersion: { test: isStr, what: 'a string' },
      bootId: { test: isStr, what: 'a string' },
      target: { test: isObj, what: 'an object' },
    },
    out,
  ) && isObj(r.boot.target)) {
    shape(r.boot.target, 'boot.target', { arch: { test: isStr, what: 'a string' }, kernel: { test: isStr, what: 'a string' }, toolchain: { test: isStr, what: 'a string' } }, out);
  }
  shape(
    r.summary,
    'summary',
    {
      passed: { test: isCount, what: 'a count' },
      failed: { test: isCount, what: 'a count' },
      errors: { test: isCount, what: 'a count' },
    },
    out,
  );
  (r.skipped ?? []).forEach((s, i) =>
    shape(s, `skipped[${i}]`, { name: { test: isStr, what: 'a string' }, reason: { test: isStr, what: 'a string' } }, out),
  );
  (r.bootTimings ?? []).forEach((t, i) =>
    shape(t, `bootTimings[${i}]`, { stage: { test: isStr, what: 'a string' }, ms: { test: isMs, what: 'a duration' } }, out),
  );
  if (out.length) return out;
  // The verdict must follow from the statuses: a forged `healthy` is rejected.
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  if (r.summary.passed !== count('pass') || r.summary.failed !== count('fail') || r.summary.errors !== count('error')) {
    out.push('summary: counts do not match the check statuses');
  }
  const healthy = r.checks.length > 0 && r.checks.every((c) => c.status === 'pass');
  if (r.healthy !== healthy) out.push(`healthy: ${r.healthy} but the checks say ${healthy}`);
  const names = r.checks.map((c) => c.name);
  if (new Set(names).size !== names.length) out.push('checks: a name appears twice');
  return out;
}
