import { defineCommand } from '../command.ts';
import { EnvironmentError } from '../../util/errors.ts';

// Placeholder until the stage lands.
export default defineCommand({
  name: 'rootfs',
  summary: 'rootfs (not implemented yet)',
  args: {},
  run() {
    throw new EnvironmentError('rootfs: not implemented yet');
  },
});
