import { defineCheck, error, fail, pass } from '../define.ts';
import { ELF_EXIT_CODE, ISA_BY_ARCH, exitElf } from '../elf.ts';
import { errnoName, errnoNumber } from '../env.ts';

const ENOEXEC = errnoNumber('ENOEXEC');

// The exec need has already run a native ELF from the same directory, so a
// refusal here is about the instruction set, not the directory or the probe.
export default defineCheck({
  name: 'test_no_32bit_exec',
  needs: ['probe', 'exec'],
  reasons: {
    '32bit-ran': `a 32-bit ELF ran (and exited ${ELF_EXIT_CODE}): compat syscalls are live`,
    'refused-otherwise': 'exec of the 32-bit ELF failed with an errno other than ENOEXEC',
  },
  run(ctx) {
    const isa = ISA_BY_ARCH[ctx.arch].legacy32;
    const path = ctx.env.writeScratchExecutable(`legacy-${isa}`, exitElf(isa));
    const r = ctx.probe.exec(path);
    if (r.kind === 'ran') return fail('32bit-ran', [`exec ${isa} ${path}: ran, exit ${r.exitCode ?? r.signal}`]);
    const evidence = [`exec ${isa} ${path}: ${errnoName(r.errno)}`];
    return r.errno === ENOEXEC ? pass(evidence) : error('refused-otherwise', evidence);
  },
});
