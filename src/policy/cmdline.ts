// The kernel's own boot command line tokenizer (lib/cmdline.c next_arg and
// kernel/params.c parse_args), so the host audit and the guest doctor read
// /proc/cmdline exactly as the kernel did.

export interface CmdlineToken {
  key: string;
  /** Absent for a bare flag (`ro`); '' for `key=`. */
  value?: string;
}

export interface ParsedCmdline {
  /** Kernel parameters in order (everything before a bare `--`). */
  tokens: CmdlineToken[];
  /** What follows `--`: handed to init, never read by the kernel. */
  initArgs: string[];
  /** The last value of `key` (the kernel applies them in order, so the last wins); `true` for a bare flag. */
  get(key: string): string | true | undefined;
  has(key: string): boolean;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/**
 * The kernel treats `-` and `_` in parameter names as the same character, and
 * reads `sysctl/a/b` as `sysctl.a.b` (fs/proc/proc_sysctl.c turns both separators into '/').
 */
// String methods, not regular expressions: the doctor calls this hundreds of times a run, and
// under QuickJS a regex replace costs ~9,000 instructions where replaceAll costs a few hundred.
export function normalizeParamName(key: string): string {
  const k = key.includes('-') ? key.replaceAll('-', '_') : key;
  return k.startsWith('sysctl.') || k.startsWith('sysctl/') ? `sysctl.${k.slice('sysctl.'.length).replaceAll('/', '.')}` : k;
}

/** One step of lib/cmdline.c next_arg: returns the token and where the rest starts. */
function nextArg(s: string, start: number): { token: CmdlineToken; raw: string; next: number } {
  let pos = start;
  let inQuote = false;
  let quoted = false;
  if (s[pos] === '"') {
    pos++;
    inQuote = true;
    quoted = true;
  }
  let i = pos;
  let equals = -1;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (isSpace(c) && !inQuote) break;
    // The kernel records only an '=' after the first character (equals == 0 means "none").
    if (equals === -1 && c === '=' && i > pos) equals = i;
    if (c === '"') inQuote = !inQuote;
  }
  let end = i;
  let token: CmdlineToken;
  if (equals === -1) {
    if (quoted && end > pos && s[end - 1] === '"') end--;
    token = { key: s.slice(pos, end) };
  } else {
    let vStart = equals + 1;
    let vEnd = end;
    if (s[vStart] === '"') {
      vStart++;
      if (vEnd > vStart && s[vEnd - 1] === '"') vEnd--;
    } else if (quoted && vEnd > vStart && s[vEnd - 1] === '"') {
      vEnd--;
    }
    token = { key: s.slice(pos, equals), value: s.slice(vStart, Math.max(vStart, vEnd)) };
  }
  let next = i < s.length ? i + 1 : i;
  while (next < s.length && isSpace(s[next]!)) next++;
  return { token, raw: s.slice(start, i), next };
}

export function parseCmdline(s: string): ParsedCmdline {
  const tokens: CmdlineToken[] = [];
  const initArgs: string[] = [];
  let pos = 0;
  while (pos < s.length && isSpace(s[pos]!)) pos++;
  let toInit = false;
  while (pos < s.length) {
    const { token, raw, next } = nextArg(s, pos);
    pos = next;
    if (toInit) {
      initArgs.push(raw);
      continue;
    }
    if (token.key === '--' && token.value === undefined) {
      toInit = true;
      continue;
    }
    tokens.push(token);
  }
  const byKey = new Map<string, string | true>();
  for (const t of tokens) byKey.set(normalizeParamName(t.key), t.value ?? true);
  return {
    tokens,
    initArgs,
    get: (key) => byKey.get(normalizeParamName(key)),
    has: (key) => byKey.has(normalizeParamName(key)),
  };
}
