import { spawn } from 'node:child_process';
import { EnvironmentError, InterruptedError } from '../util/errors.ts';

// Running the host tools the guest images are made with (mksquashfs, apt-get,
// npm, readelf, gcc, tar). A missing tool is an EnvironmentError that names
// the Debian package; a failing one is an error with the tail of its stderr.

/** Which Debian package provides each tool we call (for the error message). */
const PACKAGE_OF: Record<string, string> = {
  mksquashfs: 'squashfs-tools',
  unsquashfs: 'squashfs-tools',
  'apt-get': 'apt',
  'dpkg-deb': 'dpkg',
  npm: 'npm (Node.js)',
  readelf: 'binutils',
  tar: 'tar',
  sh: 'dash',
  gcc: 'gcc',
  'aarch64-linux-gnu-gcc': 'gcc-aarch64-linux-gnu',
  getcap: 'libcap2-bin',
  setcap: 'libcap2-bin',
  mmdebstrap: 'mmdebstrap',
};

export interface ToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (e.code === 'ENOENT') {
        reject(new EnvironmentError(`${cmd} not found (install ${PACKAGE_OF[cmd] ?? cmd}; \`npm run setup\` does)`));
      } else reject(e);
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new InterruptedError(`${cmd} interrupted`));
      if (code === 0) return resolve(out);
      const tail = err.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed (${sig ?? `exit ${code}`})${tail ? `:\n${tail}` : ''}`));
    });
  });
}
