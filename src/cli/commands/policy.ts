import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'policy',
  summary: 'policy (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('policy: not implemented yet');
  },
});
