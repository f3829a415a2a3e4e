import { type Arch, NONCE_PARAM, cmdlineFor, launcherCmdline } from '../../../src/policy/index.ts';
import type { FixturePatch } from './fake-guest.ts';
import { file } from './fake-guest.ts';

export const FIXTURE_NONCE = '0123456789abcdef0123456789abcdef';

/** The line a guest boots with: the policy's, the launcher's fixed tokens, a nonce (src/guest/qemu.ts bootCmdline). */
export function bootedCmdline(arch: Arch): string {
  return [cmdlineFor(arch), ...launcherCmdline(arch), `${NONCE_PARAM}=${FIXTURE_NONCE}`].join(' ');
}

/** A /proc/cmdline made from the booted command line: tokens whose key is in `drop` removed, `append` added. */
export function cmdline(edit: { drop?: string[]; append?: string[] }, arch: Arch = 'x86_64'): FixturePatch {
  const kept = bootedCmdline(arch)
    .split(' ')
    .filter((t) => !(edit.drop ?? []).includes(t.split('=')[0]!));
  return { files: { '/proc/cmdline': file([...kept, ...(edit.append ?? [])].join(' ') + '\n') } };
}

/** A literal /proc/cmdline. */
export function rawCmdline(text: string): FixturePatch {
  return { files: { '/proc/cmdline': file(text) } };
}
