import { describe, expect, it } from 'vitest';
import { AuditFailedError, CasualtiesError, MakeFailedError } from '../../src/build/index.ts';
import {
  CheckFailedError, EXIT, EnvironmentError, InputError, InterruptedError, UsageError, describeError, exitCodeFor,
} from '../../src/util/errors.ts';

// One exit code per error class; 1 only when a rule, check or build step said no.
describe('exit codes by error class', () => {
  it.each<[string, unknown, number]>([
    ['a failed check', new CheckFailedError('no'), EXIT.failed],
    ['survival casualties', new CasualtiesError([]), EXIT.failed],
    ['a failed audit', new AuditFailedError({ summary: { fail: 1 }, results: [] } as never), EXIT.failed],
    ['a failed make', new MakeFailedError('make bzImage failed', '/tmp/make.log', ''), EXIT.failed],
    ['usage', new UsageError('bad flag'), EXIT.usage],
    ['input', new InputError('f.config', 'malformed line', 3), EXIT.usage],
    ['environment', new EnvironmentError('qemu-system-x86_64 not found'), EXIT.usage],
    ['interrupted', new InterruptedError('stopped'), EXIT.interrupted],
    ['a TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'x')"), EXIT.bug],
    ['a thrown string (a bug)', 'boom', EXIT.bug],
  ])('%s', (_, err, code) => expect(exitCodeFor(err)).toBe(code));

  it('user errors are one line; a bug carries its stack and asks to be reported', () => {
    expect(describeError(new InputError('f.config', 'malformed line', 3))).toBe('capsem-kernel: f.config:3: malformed line');
    const bug = describeError(new TypeError('x is undefined'));
    expect(bug.split('\n')[0]).toBe('capsem-kernel: internal error (a bug in capsem-kernel, exit 70); please report it with the command line and this trace:');
    expect(bug).toMatch(/TypeError: x is undefined\n\s+at /);
  });
});
