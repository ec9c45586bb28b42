export { LiveErrorPanel } from './LiveErrorPanel';
