/**
 * Production requests (issue 14): an owner asks for a version to go to a production stage, a prod
 * deployer who is not the requester approves (which executes exactly what was asked) or rejects it;
 * a request nobody decides expires. A prod deployer may instead break glass: deploy without a second
 * person, with a written reason. Shared by the Pipeline section and the backend's request routes.
 */
import { ActionPermission } from './deployments';
import { StagePromotion, StageVerification } from './pipeline';

/** @public */
export type ProductionRequestStatus =
  | 'pending'
  | 'rejected'
  | 'expired'
  /** Approved; its deploy is running. */
  | 'approved'
  /** Approved and deployed: the request's commit. */
  | 'executed'
  /** Approved, but the deploy was refused at execution (the rule, a freeze, the registry): message. */
  | 'failed';

/** The promotion check as it stood when the request was made. @public */
export interface ProductionRequestEvidence {
  promotion: StagePromotion;
  verification: StageVerification;
}

/** @public */
export interface ProductionRequest {
  id: number;
  entityRef: string;
  /** The production stage that takes the version. */
  environment: string;
  version: string;
  /** The image digest the registry had for `version` when requested; the approval deploys it. */
  digest?: string;
  /** The stage the version comes from. */
  fromEnvironment: string;
  requestedBy: string;
  requestedAt: string;
  /** Why the requester asks (optional). */
  comment?: string;
  evidence: ProductionRequestEvidence;
  status: ProductionRequestStatus;
  /** Pending requests expire at this time. */
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  commit?: string;
  /** Why execution failed, or what it did. */
  message?: string;
}

/** A request with what the caller may do with it. @public */
export interface ProductionRequestView extends ProductionRequest {
  /** Approve or reject; denied for the requester ("you requested it") and non prod deployers. */
  decide: ActionPermission;
}

/** `GET /deployments/promotions/requests?entityRef=`, newest first. @public */
export interface ProductionRequestsResponse {
  entityRef: string;
  items: ProductionRequestView[];
  /** Whether the caller may request a production promotion of this entity, per production stage. */
  request: Record<string, ActionPermission>;
  /** Whether the caller may break glass, per production stage. */
  breakGlass: Record<string, ActionPermission>;
}

/** Shortest written reason a break glass takes. @public */
export const BREAK_GLASS_MIN_REASON = 20;

/** The audit actions of production requests and break glass. @public */
export type ProductionAuditAction =
  | 'request-production'
  | 'approve-production'
  | 'reject-production'
  | 'expire-production'
  | 'break-glass';
