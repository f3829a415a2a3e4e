import type { BuildProgress } from './configure.ts';

// A build's progress as a log, for output that is not a terminal (a CI log, a
// file, a test run): a line per stage, and while anything runs a line at least
// every `everySeconds` (objects done / estimated total, elapsed), so ten
// minutes of compile never look like a hang. The heartbeat timer is unref'd:
// it never keeps a process alive.

const HEARTBEAT_SECONDS = 30;

const clock = (seconds: number) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export interface ProgressLog {
  onProgress(p: BuildProgress): void;
  /** Stops the heartbeat (call when the build ends, however it ends). */
  stop(): void;
}

export function progressLog(write: (line: string) => void, prefix: string, everySeconds = HEARTBEAT_SECONDS): ProgressLog {
  let last: BuildProgress | undefined;
  let lastWrite = Date.now();
  let startedAt: number | undefined;
  const line = (p: BuildProgress, elapsed: number) => {
    const counts = p.done !== undefined ? ` ${p.done}/${p.total} objects` : '';
    write(`${prefix}: [${p.stage}]${counts} ${p.done !== undefined ? '' : `${p.message} `}(${clock(elapsed)})\n`);
    lastWrite = Date.now();
  };
  const timer = setInterval(() => {
    if (!last || startedAt === undefined || Date.now() - lastWrite < everySeconds * 1000) return;
    line(last, (Date.now() - startedAt) / 1000);
  }, 1000);
  timer.unref();
  return {
    onProgress(p) {
      startedAt ??= Date.now() - p.elapsedSeconds * 1000;
      const newStage = p.stage !== last?.stage;
      last = p;
      if (newStage || p.done === undefined || Date.now() - lastWrite >= everySeconds * 1000) line(p, p.elapsedSeconds);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
