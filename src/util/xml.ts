// XML text and attribute values, escaped. Dependency-free: the guest doctor imports it
// (test/architecture.test.ts keeps every src/util file the doctor uses free of imports).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `s` safe inside an element or a quoted attribute; control characters XML 1.0 forbids even escaped become '?'. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
}
