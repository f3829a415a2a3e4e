// node:path (POSIX) for the doctor's QuickJS bundle: join, dirname, basename.

export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out.at(-1) !== '..') out.pop();
    else if (part !== '..' || !abs) out.push(part);
  }
  const s = (abs ? '/' : '') + out.join('/');
  return s || (abs ? '/' : '.');
}

export const join = (...parts: string[]) => normalize(parts.filter((p) => p !== '').join('/') || '.');

export function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

export const basename = (p: string) => p.replace(/\/+$/, '').split('/').at(-1) ?? '';
