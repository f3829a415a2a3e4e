import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { EnvironmentError } from '../util/errors.ts';

// The build's contact with the host: run a tool and read its output, and
// install missing Debian packages (or say exactly how to).

const execFileP = promisify(execFile);

/** stdout of a short command; undefined when the tool is missing or fails. */
export async function tryCapture(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP(cmd, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

export async function hasTool(cmd: string): Promise<boolean> {
  return (await tryCapture('sh', ['-c', `command -v "$0"`, cmd])) !== undefined;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Installs Debian packages when root; otherwise throws with the exact command.
 * `why` finishes the sentence "needed for ...".
 */
export async function ensurePackages(
  packages: readonly string[],
  why: string,
  say: (message: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!isRoot()) {
    throw new EnvironmentError(`${packages.join(', ')} missing (needed for ${why}); run as root: ${command}`);
  }
  say(`installing ${packages.join(' ')} (needed for ${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-q'], ['install', '-y', '-q', '--no-install-recommends', ...packages]]) {
    const code = await new Promise<number>((resolve) => {
      const child = spawn('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], signal });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.on('error', () => resolve(-1));
      child.on('close', (c) => {
        if (c !== 0) say(err.trim());
        resolve(c ?? -1);
      });
    });
    if (code !== 0) throw new EnvironmentError(`could not install ${packages.join(' ')}; try: ${command}`);
  }
}
