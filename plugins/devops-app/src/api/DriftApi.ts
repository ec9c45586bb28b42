import { EnvironmentDrift } from '@devops-app/plugin-devops-app-common';

/** Which environments' drift to read: those of an entity, or named ones. @public */
export type DriftQuery = { entityRef: string } | { environments: string[] };

/** Drift detection of the environments' Terraform stacks. @public */
export interface DriftApi {
  /** The latest check of each stack of each environment (`GET /terraform/drift`). */
  getDrift(query: DriftQuery): Promise<EnvironmentDrift[]>;
  /** Queues a check of the environment now; its latest results, `checking` (`POST /terraform/drift/checks`). */
  checkDrift(environment: string): Promise<EnvironmentDrift>;
}
