// The guest's capsem-doctor: bundled by scripts/bundle.mjs into dist/capsem-doctor.js.
import { main } from './cli.ts';

// exitCode (not process.exit) so piped stdout is flushed first.
process.exitCode = main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
