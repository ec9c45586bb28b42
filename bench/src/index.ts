export { runInstrumentationBench } from './inferenceInstrumentation/run';
export type { BenchOptions, BenchResult } from './inferenceInstrumentation/run';
export {
  compare,
  formatComparison,
} from './inferenceInstrumentation/comparison';
export type { Comparison, Round } from './inferenceInstrumentation/comparison';
