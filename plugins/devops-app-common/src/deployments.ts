/**
 * Deploy, sync, promote and abort: the image tag grammar and the shapes the backend's deployment
 * routes answer with, shared by the Environments card and the backend.
 */
import type { FreezeNotice } from './freezes';
import type { ProductionAuditAction } from './productionRequests';

/**
 * The chart's `imageTag` grammar (charts/inference/values.schema.json): letters, digits, `.`, `_`, `-`,
 * at most 63 characters, starting and ending with a letter or digit, so that the tag is also a valid
 * Kubernetes label value.
 * @public
 */
export const IMAGE_TAG_PATTERN =
  /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** @public */
export const IMAGE_TAG_MAX_LENGTH = 63;

/**
 * Why an image tag is not valid, or undefined when it is.
 * @public
 */
export function validateImageTag(tag: string): string | undefined {
  if (tag.length === 0) {
    return 'is empty';
  }
  if (tag.length > IMAGE_TAG_MAX_LENGTH) {
    return `is longer than ${IMAGE_TAG_MAX_LENGTH} characters`;
  }
  if (!IMAGE_TAG_PATTERN.test(tag)) {
    return 'may only hold letters, digits, ".", "_" and "-", and must start and end with a letter or digit';
  }
  return undefined;
}

/** The actions the Environments card offers. @public */
export type DeploymentAction = 'deploy' | 'sync' | 'promote' | 'abort';

/**
 * What the audit log records of deployments: the card's actions, and a deploy made as the promotion of
 * a version from the previous stage (`promote-version`, authorized as a deploy). @public
 */
export type AuditedDeploymentAction =
  | DeploymentAction
  | 'promote-version'
  /** A rollback to the last verified version (promotion/RollbackService). */
  | 'rollback'
  /** Production requests and break glass (productionRequests.ts). */
  | ProductionAuditAction;

/** Whether the signed-in user may run an action, and why not. @public */
export interface ActionPermission {
  allowed: boolean;
  reason?: string;
}

/** Argo CD's view of an environment's Application. @public */
export interface ArgoCdStatus {
  /** `connected`, `not-connected` (no instance configured) or `error` (the instance answered badly). */
  state: 'connected' | 'not-connected' | 'error';
  /** What is missing or what went wrong, when not connected. */
  message?: string;
  instance?: string;
  application?: string;
  syncStatus?: string;
  healthStatus?: string;
  /** `automated` or `manual`. */
  syncPolicy?: 'automated' | 'manual';
  /** Phase of the running operation (a sync), when one runs. */
  operationPhase?: string;
  /** Image tag of the Rollout's pod template in the cluster. */
  liveTag?: string;
  revision?: string;
  rollout?: RolloutStatus;
}

/** The blue/green state of the environment's Rollout. @public */
export interface RolloutStatus {
  name: string;
  phase?: string;
  message?: string;
  /** The Rollout waits for a person to promote (blue/green with autoPromotionEnabled off). */
  pausedForPromotion: boolean;
  aborted: boolean;
  activeRevision?: string;
  previewRevision?: string;
  activeColour?: string;
  previewColour?: string;
}

/**
 * One audit record: a deploy, sync, promote or abort, with its result; or (`TAction` a
 * `TerraformRunAction`) a terraform run decision on an environment's entity. @public
 */
export interface AuditRecord<
  TAction extends string = AuditedDeploymentAction,
> {
  id: number;
  createdAt: string;
  actor: string;
  entityRef: string;
  environment: string;
  action: TAction;
  before?: string;
  after?: string;
  result: 'success' | 'failure' | 'denied';
  message?: string;
  commit?: string;
  /** The terraform run the entry started or acted on. */
  runId?: string;
}

/** One row of the Environments card. @public */
export interface EnvironmentDeploymentStatus {
  environment: string;
  title: string;
  production: boolean;
  valuesFile: string;
  /** Image tag in the GitOps repository, or undefined when the file could not be read. */
  gitTag?: string;
  gitError?: string;
  argocd: ArgoCdStatus;
  lastDeploy?: AuditRecord;
  permissions: Record<DeploymentAction, ActionPermission>;
  /** A freeze window in force (`devopsApp.promotion.freezes`): deploys are refused until it ends. */
  freeze?: FreezeNotice;
}

/** @public */
export interface DeploymentStatusResponse {
  entityRef: string;
  repository: { configured: boolean; branch?: string; message?: string };
  items: EnvironmentDeploymentStatus[];
}

/** The answer to a deploy request or its preview. @public */
export interface DeploymentResult {
  environment: string;
  valuesFile: string;
  before?: string;
  after: string;
  /** Unified diff of the values file. */
  diff: string;
  changed: boolean;
  /** Commit on the GitOps branch (direct commit) — absent for a preview. */
  commit?: string;
  /** Pull request URL (production through GitHub). */
  pullRequestUrl?: string;
  /** Whether the portal asked Argo CD to sync afterwards (manual sync policy). */
  syncRequested?: boolean;
  syncMessage?: string;
  /** The image the deploy committed, as the registry resolved the tag (with `devopsApp.registry`). */
  image?: { reference: string; digest: string };
}

/**
 * The Backstage signal channel on which the backend announces every audit entry of an entity (deploy,
 * sync, promote, abort, with any result), so that open Environments cards reload at once.
 * @public
 */
export function deploymentSignalChannel(entityRef: string): string {
  return `devops-app:deployments:${entityRef}`;
}

/**
 * The message of a deployment signal: which row changed and how. Holds no diff, commit message,
 * token or error text. @public
 */
export interface DeploymentSignal {
  [key: string]: string | number;
  entityRef: string;
  environment: string;
  action: AuditedDeploymentAction;
  result: AuditRecord['result'];
  auditId: number;
}
