export { DriftSection } from './DriftSection';
export { DriftStatusLine } from './DriftStatusLine';
export { useDrift } from './useDrift';
