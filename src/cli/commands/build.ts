import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'build',
  summary: 'build (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('build: not implemented yet');
  },
});
