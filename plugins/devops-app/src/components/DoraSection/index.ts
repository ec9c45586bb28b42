export { DoraSection } from './DoraSection';
