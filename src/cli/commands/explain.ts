import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'explain',
  summary: 'explain (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('explain: not implemented yet');
  },
});
