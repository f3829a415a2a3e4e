import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch, Toolchain } from '../policy/index.ts';
import { cacheRoot } from '../util/paths.ts';
import type { Verdict } from './classify.ts';

// The last proof of each shipped kernel, keyed by its image's sha256, so that
// `up` can say whether the kernel it boots was proven without proving again.
// A cache like the others: a missing or unreadable record is "no proof yet".

export interface ProofRecord {
  arch: Arch;
  /** Absent in records written before proofs knew the toolchain (they are gcc's). */
  toolchain?: Toolchain;
  /** The shipped kernel the proving kernel was checked against (the one `up` boots). */
  kernel: { release: string; sha256: string };
  provingRelease: string;
  weakenedRelease: string;
  /** ISO time the proof finished. */
  at: string;
  ok: boolean;
  summary: { claimed: number; proven: number; notBlocked: number; inconclusive: number; controls: number; controlsFailing: number };
  totalMs: number;
  /** Set when the run was limited with --only: a partial proof. */
  only?: readonly string[];
  runs: { rule: string; test: string; kind: 'proof' | 'control'; verdict: Verdict; ok: boolean }[];
}

export function proofRecordPath(imageSha256: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'proofs', `${imageSha256}.json`);
}

export function saveProofRecord(r: ProofRecord, env: NodeJS.ProcessEnv = process.env): string {
  const path = proofRecordPath(r.kernel.sha256, env);
  mkdirSync(join(path, '..'), { recursive: true });
  // Written whole then renamed: a reader never sees half a record.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n');
  renameSync(tmp, path);
  return path;
}

export function readProofRecord(imageSha256: string, env: NodeJS.ProcessEnv = process.env): ProofRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(proofRecordPath(imageSha256, env), 'utf8')) as ProofRecord;
    return r.kernel?.sha256 === imageSha256 && r.summary ? r : undefined;
  } catch {
    return undefined;
  }
}

/** One line for `up`: what the last proof of this kernel found. */
export function describeProofRecord(r: ProofRecord | undefined, arch: Arch): string {
  if (!r) return `none for this kernel (capsem-kernel prove --arch ${arch})`;
  const s = r.summary;
  const partial = r.only ? `, partial: --only ${r.only.join(',')}` : '';
  return (
    `${r.ok ? 'PROVEN' : 'NOT PROVEN'}: ${s.proven}/${s.claimed} claimed attacks blocked, ` +
    `${s.controls - s.controlsFailing}/${s.controls} controls not blocked, ${s.inconclusive} inconclusive ` +
    `(${r.at}, ${(r.totalMs / 1000).toFixed(1)} s${partial})`
  );
}
