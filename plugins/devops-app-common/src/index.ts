/**
 * Types, annotation names and permissions shared by the devops-app frontend and backend plugins.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './environments';
export * from './environmentModel';
export * from './permissions';
export * from './terraform';
export * from './observability';
export * from './deployments';
export * from './printable';
export * from './expiry';
export * from './registry';
export * from './drift';
export * from './pipeline';
export * from './dora';
export * from './freezes';
export * from './productionRequests';
