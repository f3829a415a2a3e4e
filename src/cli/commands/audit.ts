import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'audit',
  summary: 'audit (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('audit: not implemented yet');
  },
});
