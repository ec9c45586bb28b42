/**
 * The pipeline of a service's environments (issue 14): stages in promotion order, the version each
 * runs, its verification and whether the next stage may take it. Shared by the Pipeline section and
 * the backend's promotion routes.
 */
import type { FreezeNotice } from './freezes';

/** One check of a version's verification, passed or not, in the words the Pipeline view shows. @public */
export interface VerificationCheck {
  /** `requests`, `error-ratio`, `p95-latency`, `analysis-run` or `soak`. */
  name: 'requests' | 'error-ratio' | 'p95-latency' | 'analysis-run' | 'soak';
  passed: boolean;
  /** E.g. "error ratio 0.4 % ≤ 1 %", "requests 12 < 50 minimum". */
  message: string;
  /** The measured value (a ratio, seconds or a count); undefined when there was none. */
  value?: number;
  threshold?: number;
}

/** The verification of the version a stage runs. @public */
export interface StageVerification {
  /** All checks passed. */
  verified: boolean;
  checks: VerificationCheck[];
  /** Length of the Prometheus window read, in seconds. */
  windowSeconds: number;
  /** Why the version could not be verified at all (no Prometheus, Prometheus down, no version). */
  error?: string;
}

/** Whether a stage may take the version of the stage before it, and why not. @public */
export interface StagePromotion {
  version: string;
  from: string;
  allowed: boolean;
  /** The first check that failed, e.g. "0.2.0 has run in dev for 40 s of 2 min soak". */
  reason?: string;
  soakSeconds: number;
  /** How long `version` has run in `from`, when known. */
  ranSeconds?: number;
}

/** One stage of the pipeline: an environment with a promotion order. @public */
export interface PipelineStage {
  environment: string;
  title: string;
  order: number;
  production: boolean;
  /** `image.tag` at the GitOps branch head. */
  gitVersion?: string;
  /** The Rollout's image tag in the cluster, from Argo CD where connected. */
  liveVersion?: string;
  /** When the stage started to run `gitVersion`: the deploy's audit entry. */
  since?: string;
  soakSeconds: number;
  verification: StageVerification;
  /** The promotion from the previous stage; undefined for the first stage. */
  promotion?: StagePromotion;
  /** A freeze window in force: promotions into the stage are refused until it ends. */
  freeze?: FreezeNotice;
}

/** `GET /deployments/pipeline`. @public */
export interface PipelineResponse {
  entityRef: string;
  stages: PipelineStage[];
}

/** Seconds in words: "40 s", "2 min", "1 h 5 min". @public */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${s / 60} min`;
  }
  const minutes = Math.floor((s % 3600) / 60);
  return minutes
    ? `${Math.floor(s / 3600)} h ${minutes} min`
    : `${Math.floor(s / 3600)} h`;
}
