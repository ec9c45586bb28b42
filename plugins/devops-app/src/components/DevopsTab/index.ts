export { DevopsTab } from './DevopsTab';
