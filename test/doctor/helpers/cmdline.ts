import { type Arch, cmdlineFor } from '../../../src/policy/index.ts';
import type { FixturePatch } from './fake-guest.ts';
import { file } from './fake-guest.ts';

/** A /proc/cmdline made from the policy's command line: tokens whose key is in `drop` removed, `append` added. */
export function cmdline(edit: { drop?: string[]; append?: string[] }, arch: Arch = 'x86_64'): FixturePatch {
  const kept = cmdlineFor(arch)
    .split(' ')
    .filter((t) => !(edit.drop ?? []).includes(t.split('=')[0]!));
  return { files: { '/proc/cmdline': file([...kept, ...(edit.append ?? [])].join(' ') + '\n') } };
}

/** A literal /proc/cmdline. */
export function rawCmdline(text: string): FixturePatch {
  return { files: { '/proc/cmdline': file(text) } };
}
