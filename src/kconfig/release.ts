import { createHash } from 'node:crypto';

// The kernel release names its final .config: a build sets
// LOCALVERSION=-capsem-<digest> on make's command line (a make variable, so
// it is not itself in the .config), and `uname -r` in the guest reads
// `6.12.117-capsem-<digest>`. The .config records the compiler and linker
// (CONFIG_CC_VERSION_TEXT, CONFIG_LD_VERSION, ...), so the digest names the
// toolchain too: any config change gives another release, the same inputs the
// same one. Anyone holding a .config can recompute it.

export const RELEASE_DIGEST_HEX = 12;
export const RELEASE_DIGEST_RECIPE = `sha256 of the final .config, first ${RELEASE_DIGEST_HEX} hex digits, as LOCALVERSION=-capsem-<digest>`;

export function releaseDigest(configText: string): string {
  return createHash('sha256').update(configText).digest('hex').slice(0, RELEASE_DIGEST_HEX);
}

interface RunningKernel {
  /** uname -r */
  release: string;
  /** The config digest the release names; undefined for a kernel capsem did not build. */
  digest?: string;
}

/** The release (and its digest) from a /proc/version line ("Linux version 6.12.117-capsem-<digest> (...) ..."). */
export function parseProcVersion(text: string): RunningKernel | undefined {
  const m = /^Linux version (\S+)/.exec(text.trim());
  if (!m) return undefined;
  const release = m[1]!;
  const digest = new RegExp(`-capsem-([0-9a-f]{${RELEASE_DIGEST_HEX}})$`).exec(release)?.[1];
  return { release, ...(digest ? { digest } : {}) };
}
