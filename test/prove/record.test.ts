import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProofRecord, describeProofRecord, proofRecordPath, readProofRecord, saveProofRecord } from '../../src/prove/record.ts';

const dir = mkdtempSync(join(tmpdir(), 'capsem-proof-record-'));
const env = { CAPSEM_CACHE_DIR: dir };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = 'ab'.repeat(32);
const record: ProofRecord = {
  arch: 'arm64',
  kernel: { release: '6.12.117-capsem-000000000000', sha256: sha },
  provingRelease: '6.12.117-capsem-111111111111',
  weakenedRelease: '6.12.117-capsem-222222222222',
  at: '2026-12-01T23:00:00.000Z',
  ok: false,
  summary: { claimed: 18, proven: 17, notBlocked: 0, inconclusive: 1, controls: 18, controlsFailing: 0 },
  totalMs: 123_456,
  runs: [{ rule: 'arm64-ptr-auth-kernel', test: 'CORRUPT_PAC', kind: 'proof', verdict: 'inconclusive', ok: false }],
};

describe('proof records', () => {
  it('none yet: up says so and names the command', () => {
    expect(readProofRecord(sha, env)).toBeUndefined();
    expect(describeProofRecord(undefined, 'arm64')).toBe('none for this kernel (capsem-kernel prove --arch arm64)');
  });

  it('a saved record reads back under the image sha256, and its line says what was proven', () => {
    expect(saveProofRecord(record, env)).toBe(join(dir, 'proofs', `${sha}.json`));
    expect(readProofRecord(sha, env)).toEqual(record);
    expect(describeProofRecord(record, 'arm64')).toBe(
      'NOT PROVEN: 17/18 claimed attacks blocked, 18/18 controls not blocked, 1 inconclusive (2026-12-01T23:00:00.000Z, 123.5 s)',
    );
    expect(describeProofRecord({ ...record, ok: true, only: ['ARRAY_BOUNDS'] }, 'arm64')).toMatch(/^PROVEN: .*, partial: --only ARRAY_BOUNDS\)$/);
  });

  it('an unreadable or foreign record is no record (a cache, never an error)', () => {
    writeFileSync(proofRecordPath(sha, env), '{ half');
    expect(readProofRecord(sha, env)).toBeUndefined();
    writeFileSync(proofRecordPath(sha, env), JSON.stringify({ ...record, kernel: { ...record.kernel, sha256: 'cd'.repeat(32) } }));
    expect(readProofRecord(sha, env)).toBeUndefined();
  });
});
