import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'up',
  summary: 'up (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('up: not implemented yet');
  },
});
