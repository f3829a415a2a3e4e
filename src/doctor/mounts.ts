// /proc/mounts, read the way the kernel writes it (fs/proc_namespace.c):
// six space-separated fields, with space, tab, newline, backslash (and, inside
// options, comma and '=') escaped as \ooo octal.

export interface Mount {
  source: string;
  mountpoint: string;
  fstype: string;
  /** Options in order, each `key` or `key=value`, unescaped. */
  options: string[];
}

/**
 * Filesystems where no one can create a file that exec honours (kernel-made
 * entries only): setuid scans skip them. devtmpfs is not one: root can create
 * any file in /dev, so it is walked like tmpfs and the root.
 */
export const PSEUDO_FILESYSTEMS = new Set([
  'proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs',
  'bpf', 'mqueue', 'hugetlbfs', 'pstore', 'configfs', 'fusectl', 'binfmt_misc', 'autofs',
  'efivarfs', 'rpc_pipefs', 'nsfs', 'selinuxfs',
]);

// Most fields have no escape: skip the regex (costly under QuickJS, and /proc/mounts is parsed by several checks).
function unescape(s: string): string {
  return !s.includes('\\') ? s : s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Throws with the 1-based line number when a line is not six fields. */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const f = line.split(' ');
    if (f.length !== 6) throw new Error(`/proc/mounts line ${i + 1}: expected 6 fields, got ${JSON.stringify(line)}`);
    mounts.push({
      source: unescape(f[0]!),
      mountpoint: unescape(f[1]!),
      fstype: unescape(f[2]!),
      options: f[3]!.split(',').map(unescape),
    });
  });
  return mounts;
}

/** The mount visible at `mountpoint`: the last one listed there (later mounts stack on top). */
export function mountAt(mounts: readonly Mount[], mountpoint: string): Mount | undefined {
  return mounts.findLast((m) => m.mountpoint === mountpoint);
}

/** `true` for a bare option (`ro`), its value for `key=value`, undefined when absent; the last one wins. */
export function mountOption(m: Mount, key: string): string | true | undefined {
  let found: string | true | undefined;
  for (const o of m.options) {
    const eq = o.indexOf('=');
    if (eq === -1 ? o === key : o.slice(0, eq) === key) found = eq === -1 ? true : o.slice(eq + 1);
  }
  return found;
}

/** overlayfs lowerdir: layers separated by ':', with '\:' for a literal colon. */
export function lowerDirs(value: string): string[] {
  return value.split(/(?<!\\):/).map((d) => d.replace(/\\:/g, ':'));
}

export function describeMount(m: Mount): string {
  return `${m.source} on ${m.mountpoint} type ${m.fstype} (${m.options.join(',')})`;
}
