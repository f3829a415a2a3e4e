import { join } from 'node:path';

// A private apt state under our cache: its own lists, cache, sources and (no)
// status, so apt-get update/download fetch what we ask for, verified by
// Debian's signatures, without touching the host's apt configuration. Used for
// the guest's foreign-arch packages and for newer kernel sources (backports).

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** apt-get options that confine apt to the state under `root` (sources.list there, lists/ and cache/ below it). */
export function privateAptOptions(root: string, opts: { arch?: string; preferences?: boolean } = {}): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    ...(opts.arch ? [...o('APT::Architecture', opts.arch), ...o('APT::Architectures::', opts.arch)] : []),
    ...o('Dir::State::Lists', join(root, 'lists')),
    ...o('Dir::State::status', '/dev/null'),
    ...o('Dir::Cache', join(root, 'cache')),
    ...o('Dir::Etc::SourceList', join(root, 'sources.list')),
    ...o('Dir::Etc::SourceParts', join(root, 'sources.list.d')),
    // The host's apt pins do not apply to the private state.
    ...(opts.preferences ? [...o('Dir::Etc::Preferences', '/dev/null'), ...o('Dir::Etc::PreferencesParts', join(root, 'preferences.d'))] : []),
    ...o('Debug::NoLocking', '1'),
  ];
}
