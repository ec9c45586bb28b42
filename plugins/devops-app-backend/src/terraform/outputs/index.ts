export { EnvironmentOutputsPublisher } from './EnvironmentOutputsPublisher';
export type { OutputsPublication } from './EnvironmentOutputsPublisher';
