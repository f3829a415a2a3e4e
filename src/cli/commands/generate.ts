import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'generate',
  summary: 'generate (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('generate: not implemented yet');
  },
});
