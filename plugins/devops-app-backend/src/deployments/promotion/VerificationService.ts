import {
  ANNOTATION_PROMETHEUS_SELECTOR,
  EntityLike,
  StageVerification,
  VerificationCheck,
} from '@devops-app/plugin-devops-app-common';
import { parseSelector } from '../../observability/prometheus/panels';
import { PrometheusClient } from '../../observability/prometheus/PrometheusClient';
import { VerificationThresholds } from './config';
import { AnalysisRunResult } from '../ArgoCdService';
import { analysisRunCheck, metricChecks, VersionMeasurement } from './rules';

/** The PromQL of a version's measurement over a window. */
export interface VersionQueries {
  requests: string;
  errors: string;
  p95Seconds: string;
}

/**
 * The queries of one version in one environment. A version's series are those of the pods that export
 * `model_info{version}` (panels.ts: every pod exports `model_info{...,version,colour} 1`), matched on
 * `instance`; `max_over_time` keeps a pod that served the version during the window even if it is
 * gone at its end. `version` must already be a valid image tag (no quotes or backslashes).
 */
export function versionQueries(options: {
  matchers: string[];
  environment: string;
  version: string;
  windowSeconds: number;
}): VersionQueries {
  const m = [...options.matchers, `environment="${options.environment}"`].join(
    ',',
  );
  const w = `${Math.ceil(options.windowSeconds)}s`;
  const pods = `max by (instance) (max_over_time(model_info{${m},version="${options.version}"}[${w}]))`;
  const count = (extra: string) =>
    `sum(increase(http_request_duration_seconds_count{${m}${extra}}[${w}]) and on (instance) ${pods})`;
  return {
    requests: count(''),
    errors: count(',status=~"5.."'),
    p95Seconds: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${m}}[${w}]) and on (instance) ${pods}))`,
  };
}

/** Reads a Rollout's pre-promotion AnalysisRun of a version (see `ArgoCdService.analysisRun`). */
export interface AnalysisRunReader {
  analysisRun(
    entity: EntityLike,
    environment: { name: string; argocdInstance?: string },
    version: string,
  ): Promise<AnalysisRunResult | undefined>;
}

/**
 * The verification of a version in an environment: the Rollout's pre-promotion AnalysisRun where
 * Argo CD is connected and the Rollout ran one for the version (its phase and failed metrics), plus
 * the portal's own check on Prometheus over its window: request count, error ratio and p95 latency
 * against `devopsApp.promotion.verification`. Reads the environment's own Prometheus
 * (`devops-app.io/prometheus-url`) or the global querier, as the metrics panels do.
 */
export class VerificationService {
  private readonly clients = new Map<string, PrometheusClient>();

  constructor(
    private readonly options: {
      thresholds: VerificationThresholds;
      /** The global querier (`devopsApp.prometheus.baseUrl`). */
      client?: PrometheusClient;
      timeoutMs?: number;
      now?: () => number;
      /**
       * The Rollout's pre-promotion AnalysisRun of a version (`ArgoCdService.analysisRun`), where
       * Argo CD serves the environment; without it the verification is Prometheus's only.
       */
      analysis?: AnalysisRunReader;
    },
  ) {}

  get thresholds(): VerificationThresholds {
    return this.options.thresholds;
  }

  private clientFor(environment: { name: string; prometheusUrl?: string }) {
    if (!environment.prometheusUrl) return this.options.client;
    let client = this.clients.get(environment.prometheusUrl);
    if (!client) {
      client = new PrometheusClient({
        baseUrl: environment.prometheusUrl,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        name: `Prometheus of environment ${environment.name} (devops-app.io/prometheus-url)`,
      });
      this.clients.set(environment.prometheusUrl, client);
    }
    return client;
  }

  /** Reads the measurement of a version; undefined values are series Prometheus did not have. */
  async measure(options: {
    client: PrometheusClient;
    queries: VersionQueries;
    atSeconds: number;
  }): Promise<VersionMeasurement> {
    const read = async (query: string) => {
      const series = await options.client.queryRange({
        query,
        start: options.atSeconds,
        end: options.atSeconds,
        step: 1,
      });
      const value = series[0]?.values.at(-1)?.[1];
      return value === undefined ? undefined : Number(value);
    };
    const [requests, errors, p95Seconds] = await Promise.all([
      read(options.queries.requests),
      read(options.queries.errors),
      read(options.queries.p95Seconds),
    ]);
    return { requests, errors, p95Seconds };
  }

  /**
   * The AnalysisRun check of `version` where Argo CD shows one; an Argo CD that does not answer fails
   * the check (the version cannot be called verified without it).
   */
  private async analysisCheck(
    entity: EntityLike,
    environment: { name: string; argocdInstance?: string },
    version: string,
  ): Promise<VerificationCheck | undefined> {
    const reader = this.options.analysis;
    if (!reader) return undefined;
    try {
      const run = await reader.analysisRun(entity, environment, version);
      return run && analysisRunCheck(run);
    } catch (e) {
      return {
        name: 'analysis-run',
        passed: false,
        message: `pre-promotion AnalysisRun unknown: ${(e as Error).message}`,
      };
    }
  }

  /**
   * The verification of `version` in `environment` over the `soakSeconds` (at least the minimum
   * window) ending now, or ending at `endMs` for a version the environment ran before (then without
   * the AnalysisRun, which only the Rollout's current version has).
   */
  async verify(options: {
    entity: EntityLike;
    environment: {
      name: string;
      prometheusUrl?: string;
      argocdInstance?: string;
    };
    version: string;
    soakSeconds: number;
    endMs?: number;
  }): Promise<StageVerification> {
    const { thresholds } = this.options;
    const windowSeconds = Math.max(
      options.soakSeconds,
      thresholds.minWindowSeconds,
    );
    const analysis =
      options.endMs === undefined
        ? this.analysisCheck(
            options.entity,
            options.environment,
            options.version,
          )
        : Promise.resolve(undefined);
    const verification = await this.verifyOnPrometheus(options, windowSeconds);
    const check = await analysis;
    if (!check) return verification;
    const checks = [check, ...verification.checks];
    return {
      ...verification,
      checks,
      verified: !verification.error && checks.every(c => c.passed),
    };
  }

  private async verifyOnPrometheus(
    options: {
      entity: EntityLike;
      environment: { name: string; prometheusUrl?: string };
      version: string;
      endMs?: number;
    },
    windowSeconds: number,
  ): Promise<StageVerification> {
    const { thresholds } = this.options;
    const failed = (error: string): StageVerification => ({
      verified: false,
      checks: [],
      windowSeconds,
      error,
    });
    const selector =
      options.entity.metadata.annotations?.[ANNOTATION_PROMETHEUS_SELECTOR];
    const matchers = selector ? parseSelector(selector) : undefined;
    if (!matchers) {
      return failed(
        `the entity has no usable ${ANNOTATION_PROMETHEUS_SELECTOR} annotation`,
      );
    }
    const client = this.clientFor(options.environment);
    if (!client) {
      return failed(
        `environment ${options.environment.name} has no Prometheus (devopsApp.prometheus.baseUrl or devops-app.io/prometheus-url)`,
      );
    }
    let measured: VersionMeasurement;
    try {
      measured = await this.measure({
        client,
        queries: versionQueries({
          matchers,
          environment: options.environment.name,
          version: options.version,
          windowSeconds,
        }),
        atSeconds: Math.floor(
          (options.endMs ?? this.options.now?.() ?? Date.now()) / 1000,
        ),
      });
    } catch (e) {
      return failed((e as Error).message);
    }
    const checks = metricChecks(measured, thresholds);
    return { verified: checks.every(c => c.passed), checks, windowSeconds };
  }
}
