import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'boot',
  summary: 'boot (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('boot: not implemented yet');
  },
});
