import { GUEST } from './guest.ts';

// Files the guest must not contain, by the daemon they belong to: its binary
// (the names of GUEST.forbiddenProcesses), its units or tables. One table for
// the image builder (which reports them in a user's root and, with --enforce,
// removes them) and the doctor (whose test_no_<daemon> check fails on any of
// them on a mounted filesystem, as well as on the running process).

export type ForbiddenDaemon = keyof typeof GUEST.forbiddenProcesses;

export interface ForbiddenFileRule {
  /** What the file is, in a finding: `<path>: <what>`. */
  what: string;
  /** `path` is absolute, relative to the root of the filesystem it is on. */
  test: (path: string) => boolean;
}

const UNIT_SUFFIXES = ['.service', '.socket', '.timer'];
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const binaries = (daemon: ForbiddenDaemon): ForbiddenFileRule[] =>
  GUEST.forbiddenProcesses[daemon].map((name) => ({ what: `${name} binary`, test: (p) => base(p) === name }));

export const FORBIDDEN_FILES: Record<ForbiddenDaemon, readonly ForbiddenFileRule[]> = {
  sshd: [...binaries('sshd'), { what: 'ssh configuration', test: (p) => p === '/etc/ssh' || p.startsWith('/etc/ssh/') }],
  cron: [
    ...binaries('cron'),
    { what: 'cron table', test: (p) => /^\/etc\/(cron|crontab|anacrontab)/.test(p) || p === '/var/spool/cron' || p.startsWith('/var/spool/cron/') },
  ],
  systemd: [
    ...binaries('systemd'),
    { what: 'systemd file', test: (p) => /(^|\/)systemd(\/|$)/.test(p) || base(p).startsWith('systemd') },
    { what: 'systemd unit', test: (p) => UNIT_SUFFIXES.some((u) => p.endsWith(u)) },
  ],
};

/** The first rule `path` breaks, with its daemon (whose test_no_<daemon> check fails on it), or undefined. */
export function forbiddenFile(path: string): { daemon: ForbiddenDaemon; what: string } | undefined {
  // Every rule needs one of these (the doctor asks for each of tens of thousands of files, under emulation).
  if (!path.includes('ssh') && !path.includes('cron') && !path.includes('systemd') && !UNIT_SUFFIXES.some((u) => path.endsWith(u))) return undefined;
  for (const daemon of Object.keys(FORBIDDEN_FILES) as ForbiddenDaemon[]) {
    const hit = FORBIDDEN_FILES[daemon].find((r) => r.test(path));
    if (hit) return { daemon, what: hit.what };
  }
  return undefined;
}

/** The directories the capsem binaries are reached through, from / down: none may be writable by anyone but root (a writable one lets a binary be renamed away and replaced). */
export const CAPSEM_BIN_DIRS: readonly string[] = (() => {
  const out: string[] = ['/'];
  let d = '';
  for (const seg of GUEST.capsemBinDir.split('/').filter(Boolean)) out.push((d = `${d}/${seg}`));
  return out;
})();
