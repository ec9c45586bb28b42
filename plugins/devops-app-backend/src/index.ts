export { devopsAppPlugin as default } from './plugin';
