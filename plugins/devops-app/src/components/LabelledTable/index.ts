export { LabelledTable } from './LabelledTable';
