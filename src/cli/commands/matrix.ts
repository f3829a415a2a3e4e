import { defineCommand } from '../command.ts';
import { KEY_COVERS } from '../../build/key.ts';
import { buildMatrix, MATRIX_FORMATS, MATRIX_FORMATTERS } from '../../build/matrix.ts';
import { ARCHS, KERNELS, TOOLCHAINS } from '../../policy/index.ts';

export default defineCommand({
  name: 'matrix',
  summary: 'Print the build matrix for a CI engine: one job per arch x kernel x toolchain, with its build cache key',
  description: `
One job per arch x kernel x toolchain, each with the exact
\`capsem-kernel build ... --json\` command and the build cache key its
artifacts will have (<cache>/builds/<key>/), computed by the build's own key
function without building or unpacking anything: the source tarball is hashed
(memoised), the compiler asked its version. A CI cache keyed by it restores a
finished build, which \`build\` then serves as a cache hit; each generated job
checks that its build reports the planned key.

The key covers ${KEY_COVERS}. A runner whose compiler or source differs from
this machine's gets another key (the job's check fails and says so): plan on
the same image the jobs run in.

--format github: a GitHub Actions workflow (one job, strategy.matrix.include).
--format gitlab: a .gitlab-ci.yml (a job per entry; usable as a child pipeline).
--format json: the job list.
Exit 0; 2 on bad usage or a missing source or compiler.`,
  args: {
    arch: { type: 'string', multiple: true, description: 'Architectures (default: all)', choices: ARCHS },
    kernel: { type: 'string', multiple: true, description: 'Kernel series (default: every verified one)', choices: KERNELS },
    toolchain: { type: 'string', multiple: true, description: 'Toolchains (default: gcc)', choices: TOOLCHAINS },
    format: { type: 'string', description: 'Output format', choices: MATRIX_FORMATS, default: 'json' },
  },
  examples: [
    'capsem-kernel matrix --format github > .github/workflows/kernels.yml',
    'capsem-kernel matrix --arch x86_64 --kernel 6.12 --toolchain gcc --toolchain clang --format gitlab',
  ],
  async run({ args, io }) {
    const jobs = await buildMatrix({
      archs: args.arch.length ? args.arch : ARCHS,
      kernels: args.kernel.length ? args.kernel : KERNELS,
      toolchains: args.toolchain.length ? args.toolchain : ['gcc'],
      env: io.env,
      say: (m) => io.stderr(`matrix: ${m}\n`),
      signal: io.signal,
    });
    io.stdout(MATRIX_FORMATTERS[args.format](jobs));
    return 0;
  },
});
