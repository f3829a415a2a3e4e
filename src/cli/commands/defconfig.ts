import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'defconfig',
  summary: 'defconfig (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('defconfig: not implemented yet');
  },
});
