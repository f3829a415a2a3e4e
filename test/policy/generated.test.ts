import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../src/cli/commands/generate.ts';

// The checked-in derived files must be exactly what the policy generates.
describe('generated files', () => {
  it.each(generatedFiles().map((f) => [f.path, f.content] as const))('%s matches the policy (run `capsem-kernel generate`)', (path, content) => {
    expect(readFileSync(path, 'utf8')).toBe(content);
  });
});
