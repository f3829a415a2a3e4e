// Requested vs final: the one comparison of Kconfig values (as a .config writes
// them) and the one walk of requested lines against a final configuration. The
// build's survival check, `explain --missing` and the audit are front ends.

import type { KconfigTree } from './tree.ts';

const NUMBER = /^(-?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))$/;

/** A decimal or hex number of any case and sign, exactly (BigInt: 64-bit values do not round). */
function numberOf(v: string): bigint | undefined {
  const m = NUMBER.exec(v);
  if (!m) return undefined;
  const n = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3]!);
  return m[1] ? -n : n;
}

/** The text of a quoted .config string as conf reads it (a backslash takes the next character as it is). */
function stringOf(v: string): string | undefined {
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') return undefined;
  let out = '';
  for (let i = 1; i < v.length - 1; i++) out += v[i] === '\\' && i + 1 < v.length - 1 ? v[++i] : v[i];
  return out;
}

/**
 * Whether two .config values are the same Kconfig value: n and absent are one
 * (conf omits a bool/tristate it cannot show), numbers compare by value (10,
 * 0xa and 0XA), quoted strings by their text ("a\b" is "ab"), anything else as written.
 */
export function sameValue(a: string | undefined, b: string | undefined): boolean {
  const x = a ?? 'n';
  const y = b ?? 'n';
  if (x === y) return true;
  const nx = numberOf(x);
  if (nx !== undefined) return nx === numberOf(y);
  const sx = stringOf(x);
  return sx !== undefined && sx === stringOf(y);
}

/** Whether the tree has a `config SYM` entry (a name only referenced in expressions has no menu). */
export function isDefinedIn(tree: KconfigTree, symbol: string): boolean {
  return (tree.symbols.get(symbol)?.menus.length ?? 0) > 0;
}

/** One requested line: the symbol without CONFIG_, its value as a .config writes it. */
export interface Request {
  symbol: string;
  value: string;
}

/**
 * The request that counts for each symbol: a later line overrides an earlier
 * one and takes its place in the order (as in a fragment handed to Kconfig).
 */
export function effectiveRequests<R extends Request>(requested: readonly R[]): R[] {
  const last = new Map<string, R>();
  for (const r of requested) {
    last.delete(r.symbol);
    last.set(r.symbol, r);
  }
  return [...last.values()];
}

/** `final`: undefined without a line. 'unknown-symbol': no `config SYM` for this arch and kernel; 'changed': another value. */
export type Unmet<R extends Request> = { request: R; final: string | undefined; kind: 'unknown-symbol' | 'changed' };

/**
 * The requested lines the final configuration does not have. A symbol is
 * checked for existence first, even at `=n`: a misspelled or renamed name
 * means the request does not say what it thinks.
 */
export function unmetRequests<R extends Request>(
  requested: readonly R[],
  final: ReadonlyMap<string, string>,
  isKnownSymbol: (symbol: string) => boolean,
): Unmet<R>[] {
  const out: Unmet<R>[] = [];
  for (const request of effectiveRequests(requested)) {
    const got = final.get(request.symbol);
    if (!isKnownSymbol(request.symbol)) out.push({ request, final: got, kind: 'unknown-symbol' });
    else if (!sameValue(request.value, got)) out.push({ request, final: got, kind: 'changed' });
  }
  return out;
}
