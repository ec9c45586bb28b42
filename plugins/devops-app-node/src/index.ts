/**
 * Node.js library of the devops-app plugin: what other backend plugins and modules (the scaffolder
 * module among them) share with the devops-app backend.
 *
 * @packageDocumentation
 */
export * from './environmentsConfig';
export * from './environmentOutputs';
export * from './EnvironmentResolver';
export * from './terraform';
export * from './git';
