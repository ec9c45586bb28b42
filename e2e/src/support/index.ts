/** What the browser suites use to run the portal, shared with the benchmarks in bench/. */
export {
  freePort,
  guestToken,
  repoRoot,
  resultsDir,
  startPortal,
} from './portal';
export type { RunningPortal } from './portal';
export { launchChromium, signInAsGuest } from './browser';
export {
  createGitOpsRemote,
  startDeploymentsPortal,
} from './deploymentsPortal';
export type { DeploymentsPortal, GitOpsRemote } from './deploymentsPortal';
export { startPostgres } from './postgres';
export type { ThrowawayPostgres } from './postgres';
export {
  AKS_ENTRA_SERVER_APP_ID,
  inferenceServiceCluster,
  INFERENCE,
  registerKubernetesCluster,
  startAksStandIn,
  startEntraIdStandIn,
  startKubernetesStandIn,
} from './kubernetesStandIn';
export type {
  AksStandIn,
  ClusterEntity,
  EntraIdStandIn,
  KubeObject,
  KubernetesStandIn,
} from './kubernetesStandIn';
export { countRangeQueries, startPrometheus } from './prometheus';
export type { RunningPrometheus } from './prometheus';
export { knownSamples, SCRAPE_SECONDS } from './knownSamples';
export type { KnownSamples } from './knownSamples';
export { startLiveInference } from './liveInference';
export type { LiveInference } from './liveInference';
export {
  CHART_PANELS,
  chartWithDataSelector,
  NetworkCounter,
  openAndTimeCharts,
  openDevopsTab,
  waitForPanelsWithData,
} from './tabLoad';
export type { NetworkTally, ResourceBytes, TabLoad } from './tabLoad';
export { findProcesses } from './processes';
export type { ProcessInfo } from './processes';
export { startRegistry } from './registry';
export type { RunningRegistry } from './registry';
