// The unpacked Debian linux-source trees the policy is verified against, under
// the build cache. The global set-up (test/setup/kernel-trees.ts) prepares every
// KERNELS tree first, or fails the run with the reason.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch, KernelVersion } from '../../src/policy/index.ts';
import { kbuildTarget } from '../../src/kconfig/kbuild.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

export const NO_TREE_HINT = 'kernel source tree not unpacked (run `capsem-kernel build` once, or see GUIDE: linux-source-<version>)';

export const kernelTree = (kernel: KernelVersion): string | undefined => kernelSource(kernel);

function* kconfigFiles(dir: string, skip: (p: string) => boolean): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) yield* kconfigFiles(p, skip);
    else if (name.startsWith('Kconfig')) yield p;
  }
}

/**
 * Every symbol a `config`/`menuconfig` line defines in the tree, seen from one arch:
 * all Kconfig files outside arch/, plus arch/Kconfig and arch/<arch>/.
 * (Over-approximates: a driver symbol only reachable on other arches still counts.)
 */
export function kconfigSymbols(tree: string, arch: Arch): Set<string> {
  return scanOnce(tree, arch).defined;
}

/**
 * The symbols some definition gives a prompt (a user can set them). A renamed
 * option's old name can linger without one: 6.18+ `transitional` symbols, or a
 * def_bool derived from the new name (GCC_PLUGIN_STACKLEAK from KSTACK_ERASE).
 */
export function promptedSymbols(tree: string, arch: Arch): Set<string> {
  return scanOnce(tree, arch).prompted;
}

interface Scan {
  defined: Set<string>;
  prompted: Set<string>;
}

const scanned = new Map<string, Scan>();

function scanOnce(tree: string, arch: Arch): Scan {
  const key = `${tree}:${arch}`;
  let out = scanned.get(key);
  if (!out) scanned.set(key, (out = scan(tree, arch)));
  return out;
}

// A config entry's lines: up to the next statement that starts a new entry or block.
const ENTRY = /^[ \t]*(?:menu)?config[ \t]+([A-Za-z0-9_]+)[ \t]*\n((?:(?![ \t]*(?:(?:menu)?config|menu|endmenu|choice|endchoice|if|endif|comment|source)\b).*\n?)*)/gm;
const PROMPT = /^[ \t]*(?:(?:bool|tristate|string|int|hex)[ \t]+"|prompt[ \t]+")/m;

function scan(tree: string, arch: Arch): Scan {
  const archRoot = join(tree, 'arch');
  const own = join(archRoot, kbuildTarget(arch, 'gcc').SRCARCH);
  const skip = (p: string) =>
    (p.startsWith(archRoot + '/') && p !== own && !p.startsWith(own + '/') && !/\/arch\/Kconfig[^/]*$/.test(p)) ||
    p.endsWith('/.git') ||
    p.startsWith(join(tree, 'Documentation'));
  const out: Scan = { defined: new Set(), prompted: new Set() };
  for (const file of kconfigFiles(tree, skip)) {
    for (const m of readFileSync(file, 'utf8').matchAll(ENTRY)) {
      out.defined.add(m[1]!);
      if (PROMPT.test(m[2]!)) out.prompted.add(m[1]!);
    }
  }
  return out;
}
