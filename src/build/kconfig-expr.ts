// Just enough of Kconfig's tristate expression language to say which terms of
// a `depends on` line are false in a final .config. Values: 0 = n, 1 = m, 2 = y,
// null = unknown (a $(macro) such as $(cc-option,...) that Kconfig evaluated
// against the compiler at configure time and we cannot re-evaluate here).

export type Tri = 0 | 1 | 2 | null;

export type Expr =
  | { op: 'sym'; name: string }
  | { op: 'const'; text: string }
  | { op: 'macro'; text: string }
  | { op: 'not'; arg: Expr }
  | { op: 'and' | 'or'; args: Expr[] }
  | { op: 'cmp'; cmp: string; left: Expr; right: Expr };

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '$' && src[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === '(') depth++;
        else if (src[j] === ')' && --depth === 0) break;
      }
      tokens.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '"' || c === "'") {
      const j = src.indexOf(c, i + 1);
      const end = j < 0 ? src.length : j + 1;
      tokens.push(src.slice(i, end));
      i = end;
    } else {
      const two = src.slice(i, i + 2);
      if (['&&', '||', '!=', '<=', '>='].includes(two)) {
        tokens.push(two);
        i += 2;
      } else if ('!()=<>'.includes(c)) {
        tokens.push(c);
        i++;
      } else {
        const m = /^[A-Za-z0-9_.\-]+/.exec(src.slice(i));
        if (!m) throw new Error(`cannot parse Kconfig expression: ${src}`);
        tokens.push(m[0]);
        i += m[0].length;
      }
    }
  }
  return tokens;
}

export function parseExpr(src: string): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];

  const term = (): Expr => {
    const t = next();
    if (t === undefined) throw new Error(`cannot parse Kconfig expression: ${src}`);
    if (t === '(') {
      const e = or();
      next(); // ')'
      return e;
    }
    if (t === '!') return { op: 'not', arg: term() };
    let e: Expr;
    if (t.startsWith('$(')) e = { op: 'macro', text: t };
    else if (/^["']/.test(t) || /^[nmy]$/.test(t) || /^-?(0x[0-9a-fA-F]+|\d+)$/.test(t)) e = { op: 'const', text: t };
    else e = { op: 'sym', name: t };
    const p = peek();
    if (p && ['=', '!=', '<', '<=', '>', '>='].includes(p)) {
      next();
      return { op: 'cmp', cmp: p, left: e, right: term() };
    }
    return e;
  };
  const and = (): Expr => {
    const args = [term()];
    while (peek() === '&&') {
      next();
      args.push(term());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const or = (): Expr => {
    const args = [and()];
    while (peek() === '||') {
      next();
      args.push(and());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const e = or();
  if (pos !== tokens.length) throw new Error(`cannot parse Kconfig expression: ${src}`);
  return e;
}

/** A symbol's value as written in .config ('y', 'm', 'n', '"str"', '42'); absent means n. */
export type Lookup = (symbol: string) => string | undefined;

const TRI: Record<string, Tri> = { n: 0, m: 1, y: 2 };

function text(e: Expr, lookup: Lookup): string | null {
  switch (e.op) {
    case 'sym':
      return (lookup(e.name) ?? 'n').replace(/^"(.*)"$/, '$1');
    case 'const':
      return e.text.replace(/^["'](.*)["']$/, '$1');
    case 'macro':
      return null;
    default: {
      const v = evalExpr(e, lookup);
      return v === null ? null : (['n', 'm', 'y'] as const)[v];
    }
  }
}

export function evalExpr(e: Expr, lookup: Lookup): Tri {
  switch (e.op) {
    case 'sym':
    case 'const': {
      const v = text(e, lookup);
      return v !== null && v in TRI ? TRI[v]! : 0;
    }
    case 'macro':
      return null;
    case 'not': {
      const v = evalExpr(e.arg, lookup);
      return v === null ? null : ((2 - v) as Tri);
    }
    case 'and':
    case 'or': {
      const vs = e.args.map((a) => evalExpr(a, lookup));
      const known = vs.filter((v): v is 0 | 1 | 2 => v !== null);
      const pick = e.op === 'and' ? Math.min(2, ...known) : Math.max(0, ...known);
      // An unknown term decides the result unless a known one already does.
      if (known.length < vs.length && (e.op === 'and' ? pick !== 0 : pick !== 2)) return null;
      return pick as Tri;
    }
    case 'cmp': {
      const l = text(e.left, lookup);
      const r = text(e.right, lookup);
      if (l === null || r === null) return null;
      const ln = Number(l);
      const rn = Number(r);
      const numeric = l !== '' && r !== '' && !Number.isNaN(ln) && !Number.isNaN(rn);
      const c = numeric ? Math.sign(ln - rn) : l === r ? 0 : l < r ? -1 : 1;
      const ok = { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[e.cmp];
      return ok ? 2 : 0;
    }
  }
}

export function symbolsIn(e: Expr): string[] {
  switch (e.op) {
    case 'sym':
      return [e.name];
    case 'const':
    case 'macro':
      return [];
    case 'not':
      return symbolsIn(e.arg);
    case 'and':
    case 'or':
      return [...new Set(e.args.flatMap(symbolsIn))];
    case 'cmp':
      return [...new Set([...symbolsIn(e.left), ...symbolsIn(e.right)])];
  }
}

export function printExpr(e: Expr, parent?: Expr['op']): string {
  switch (e.op) {
    case 'sym':
      return e.name;
    case 'const':
    case 'macro':
      return e.text;
    case 'not':
      return `!${printExpr(e.arg, 'not')}`;
    case 'cmp':
      return `${printExpr(e.left, 'cmp')}${e.cmp}${printExpr(e.right, 'cmp')}`;
    case 'and':
    case 'or': {
      const s = e.args.map((a) => printExpr(a, e.op)).join(e.op === 'and' ? ' && ' : ' || ');
      return parent && parent !== e.op ? `(${s})` : s;
    }
  }
}

/** The top-level `&&` terms of an expression (the whole expression when it is not a conjunction). */
export function conjuncts(e: Expr): Expr[] {
  return e.op === 'and' ? e.args : [e];
}
