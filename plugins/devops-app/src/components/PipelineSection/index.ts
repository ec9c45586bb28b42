export { PipelineSection } from './PipelineSection';
