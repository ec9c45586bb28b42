import {
  Environment,
  formatDuration,
  StagePromotion,
  StageVerification,
  VerificationCheck,
} from '@devops-app/plugin-devops-app-common';
import { VerificationThresholds } from './config';

/** The environments that are stages, in promotion order (ties by name, so the order is stable). */
export function orderStages<
  T extends Pick<Environment, 'name' | 'promotionOrder'>,
>(environments: T[]): (T & { promotionOrder: number })[] {
  return environments
    .filter(
      (e): e is T & { promotionOrder: number } =>
        e.promotionOrder !== undefined,
    )
    .sort(
      (a, b) =>
        a.promotionOrder - b.promotionOrder || a.name.localeCompare(b.name),
    );
}

/** What Prometheus measured of a version over its window; undefined: no series at all. */
export interface VersionMeasurement {
  requests?: number;
  errors?: number;
  p95Seconds?: number;
}

function percent(ratio: number): string {
  const p = ratio * 100;
  return `${Number(p.toPrecision(p >= 1 ? 3 : 2))} %`;
}

function seconds(value: number): string {
  return `${Number(value.toPrecision(3))} s`;
}

/** The Prometheus checks of a version: enough requests, error ratio and p95 under their thresholds. */
export function metricChecks(
  measured: VersionMeasurement,
  thresholds: VerificationThresholds,
): VerificationCheck[] {
  const requests = Math.round(measured.requests ?? 0);
  const enough = requests >= thresholds.minRequests;
  const checks: VerificationCheck[] = [
    {
      name: 'requests',
      passed: enough,
      value: requests,
      threshold: thresholds.minRequests,
      message: `requests ${requests} ${enough ? '≥' : '<'} ${
        thresholds.minRequests
      } minimum`,
    },
  ];
  if (requests === 0) {
    checks.push(
      {
        name: 'error-ratio',
        passed: false,
        threshold: thresholds.maxErrorRatio,
        message: 'error ratio unknown: no requests',
      },
      {
        name: 'p95-latency',
        passed: false,
        threshold: thresholds.maxP95Seconds,
        message: 'p95 latency unknown: no requests',
      },
    );
    return checks;
  }
  const ratio = (measured.errors ?? 0) / (measured.requests ?? 1);
  const ratioOk = ratio <= thresholds.maxErrorRatio;
  checks.push({
    name: 'error-ratio',
    passed: ratioOk,
    value: ratio,
    threshold: thresholds.maxErrorRatio,
    message: `error ratio ${percent(ratio)} ${ratioOk ? '≤' : '>'} ${percent(
      thresholds.maxErrorRatio,
    )}`,
  });
  const p95 = measured.p95Seconds;
  if (p95 === undefined || !Number.isFinite(p95)) {
    checks.push({
      name: 'p95-latency',
      passed: false,
      threshold: thresholds.maxP95Seconds,
      message: 'p95 latency unknown: no latency histogram',
    });
  } else {
    const ok = p95 <= thresholds.maxP95Seconds;
    checks.push({
      name: 'p95-latency',
      passed: ok,
      value: p95,
      threshold: thresholds.maxP95Seconds,
      message: `p95 latency ${seconds(p95)} ${ok ? '≤' : '>'} ${seconds(
        thresholds.maxP95Seconds,
      )}`,
    });
  }
  return checks;
}

/**
 * The Rollout's pre-promotion AnalysisRun, where Argo CD shows one for the version: Argo Rollouts'
 * phases (Successful passes; Failed, Error and Inconclusive fail; Pending and Running are not done
 * yet, so not passed). The message names the run, its phase and each metric that did not succeed
 * with its newest measured value.
 */
export function analysisRunCheck(run: {
  name: string;
  phase: string;
  message?: string;
  metrics: { name: string; phase: string; value?: string; message?: string }[];
}): VerificationCheck {
  const passed = run.phase === 'Successful';
  const notDone = run.phase === 'Pending' || run.phase === 'Running';
  const failing = run.metrics.filter(
    m => m.phase !== 'Successful' && (!notDone || m.phase !== 'Running'),
  );
  const details = failing.map(
    m =>
      `metric ${m.name} ${m.phase}${
        m.value !== undefined ? ` (value ${m.value})` : ''
      }${m.message ? `: ${m.message}` : ''}`,
  );
  if (!passed && details.length === 0 && run.message) {
    details.push(run.message);
  }
  return {
    name: 'analysis-run',
    passed,
    message: `pre-promotion AnalysisRun ${run.name} ${run.phase}${
      passed || details.length === 0 ? '' : `: ${details.join('; ')}`
    }`,
  };
}

/** What the rule needs of the stage a version comes from. */
export interface SourceStage {
  environment: string;
  gitVersion?: string;
  liveVersion?: string;
  /** When the stage started to run `gitVersion`. */
  since?: string;
  verification: StageVerification;
}

/**
 * The promotion rule: `target` may take `version` only when the stage before runs it (in git, and live
 * where Argo CD shows it), every verification check passed, and it has run there for `target`'s soak
 * time. The reason is the first rule broken, with its numbers; a failed check is named before the soak
 * time, which only waiting would satisfy.
 */
export function promotionDecision(options: {
  source: SourceStage;
  target: { environment: string; gitVersion?: string };
  version?: string;
  soakSeconds: number;
  nowMs: number;
}): StagePromotion | undefined {
  const { source, target, soakSeconds, nowMs } = options;
  const version = options.version ?? source.gitVersion;
  if (!version) return undefined;
  const base = { version, from: source.environment, soakSeconds };
  const ranSeconds = source.since
    ? Math.max(0, (nowMs - Date.parse(source.since)) / 1000)
    : undefined;
  const refuse = (reason: string): StagePromotion => ({
    ...base,
    ranSeconds,
    allowed: false,
    reason,
  });
  if (source.gitVersion !== version) {
    return refuse(
      `${version} is not what ${source.environment} runs (${
        source.gitVersion ?? 'no version'
      })`,
    );
  }
  if (source.liveVersion !== undefined && source.liveVersion !== version) {
    return refuse(
      `${source.environment} still runs ${source.liveVersion} in the cluster (Argo CD)`,
    );
  }
  if (target.gitVersion === version) {
    return refuse(`${target.environment} already runs ${version}`);
  }
  if (source.verification.error) {
    return refuse(
      `${version} in ${source.environment} is not verified: ${source.verification.error}`,
    );
  }
  const failed = source.verification.checks.filter(c => !c.passed);
  if (failed.length > 0) {
    return refuse(
      `${version} in ${source.environment} failed verification: ${failed
        .map(c => c.message)
        .join('; ')}`,
    );
  }
  if (ranSeconds === undefined) {
    return refuse(
      `no deploy of ${version} to ${source.environment} is recorded, so its soak time is unknown`,
    );
  }
  if (ranSeconds < soakSeconds) {
    return refuse(
      `${version} has run in ${source.environment} for ${formatDuration(
        ranSeconds,
      )} of ${formatDuration(soakSeconds)} soak`,
    );
  }
  return { ...base, ranSeconds, allowed: true };
}
