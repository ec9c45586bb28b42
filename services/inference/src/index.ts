/**
 * What other workspace packages (the benchmarks) use to drive the service. The service itself starts
 * from main.ts.
 */
export { startAzurite } from './local/azurite';
export type { Azurite, AzuriteOptions } from './local/azurite';
export {
  buildService,
  freePort,
  startServiceProcess,
} from './launch/serviceProcess';
export type { ServiceProcess } from './launch/serviceProcess';
export { runLoad } from './loadgen/runLoad';
export type { LoadOptions, LoadReport } from './loadgen/runLoad';
export { requestMix } from './loadgen/requestMix';
export type { RequestTemplate } from './loadgen/requestMix';
export type { LatencySummary } from './loadgen/stats';
