// `node dist/test/vm/prepare.js` (run by .ci/setup): build the cached Debian 12 base image and fetch
// the Node package the board suite installs, so `npm test` does not pay for them.
import { baseImage, nodeTarball } from './vm.js';

const image = await baseImage();
const node = await nodeTarball();
process.stdout.write(`vm: base image ${image.image}\nvm: node package ${node}\n`);
