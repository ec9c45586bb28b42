export { LogsTracesSection } from './LogsTracesSection';
