// `npm run test:vm`: the board suite in a Debian 12 VM under a real systemd (test/vm). One VM, so serial.
export default {
  files: ['dist/test/vm/**/*.vm.js'],
  timeout: '15m',
  workerThreads: false,
  verbose: true,
  serial: true,
  concurrency: 1,
};
