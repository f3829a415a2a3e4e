import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'cmdline',
  summary: 'cmdline (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('cmdline: not implemented yet');
  },
});
