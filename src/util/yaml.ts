// A YAML writer for plain data (objects, arrays, strings, numbers, booleans):
// block style, every one-line string double-quoted through JSON.stringify (a JSON
// string is a valid YAML double-quoted scalar; several plain lines are a literal
// block), so no value is ever read back as
// another type (`6.10` stays a string, `on` stays a key). Enough for the CI
// files `capsem-kernel matrix` prints; it reads nothing.

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Several lines, each non-empty, printable and not starting with a space: written as a literal block (`|-`). */
const BLOCK = /^(?:[^\s\x00-\x1f][^\n\x00-\x1f]*(?:\n|$)){2,}$/;

function scalar(v: string | number | boolean | null): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function isEmpty(v: YamlValue): boolean {
  return typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
}

function lines(v: YamlValue, indent: string): string[] {
  if (typeof v !== 'object' || v === null) return [`${indent}${scalar(v)}`];
  if (Array.isArray(v)) {
    return (v as readonly YamlValue[]).flatMap((item) => {
      if (typeof item !== 'object' || item === null || isEmpty(item)) return [`${indent}- ${inline(item)}`];
      const [first, ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first!.trimStart()}`, ...rest];
    });
  }
  return Object.entries(v as { [key: string]: YamlValue }).flatMap(([k, item]) => {
    if (typeof item === 'string' && BLOCK.test(item)) return [`${indent}${key(k)}: |-`, ...item.split('\n').map((l) => `${indent}  ${l}`)];
    return typeof item !== 'object' || item === null || isEmpty(item)
      ? [`${indent}${key(k)}: ${inline(item)}`]
      : [`${indent}${key(k)}:`, ...lines(item, `${indent}  `)];
  });
}

function inline(v: YamlValue): string {
  if (typeof v !== 'object' || v === null) return scalar(v);
  return Array.isArray(v) ? '[]' : '{}';
}

/** The document, with an optional comment header (each line prefixed with `# `). */
export function toYaml(value: { [key: string]: YamlValue }, comment?: string): string {
  const head = comment ? comment.split('\n').map((l) => `# ${l}`.trimEnd()) : [];
  return [...head, ...lines(value, '')].join('\n') + '\n';
}
