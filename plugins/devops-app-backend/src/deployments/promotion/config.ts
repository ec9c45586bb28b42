import { RootConfigService } from '@backstage/backend-plugin-api';
import { FreezeWindow, parseFreezeWindow } from './freezes';

/** Thresholds a version must meet over its window (`devopsApp.promotion.verification`). */
export interface VerificationThresholds {
  /** Highest 5xx ratio of the version's requests, e.g. 0.01 for 1 %. */
  maxErrorRatio: number;
  /** Highest p95 of the version's request latency, in seconds. */
  maxP95Seconds: number;
  /** Fewest requests the version must have served in the window: no traffic is not healthy. */
  minRequests: number;
  /**
   * Shortest Prometheus window in seconds (default 300): `increase()` and `rate()` need at least two
   * scrapes of each series, so a soak of a few seconds is still read over this window.
   */
  minWindowSeconds: number;
}

export interface PromotionConfig {
  verification: VerificationThresholds;
  /** Soak time of a stage: how long a version must run, verified, in the stage before it. */
  soakSeconds(environment: string): number;
  /** `devopsApp.promotion.freezes`, checked at startup (an error names the key). */
  freezes: FreezeWindow[];
}

export const DEFAULT_SOAK_SECONDS = 600;

/** `devopsApp.promotion`, with its defaults when absent. */
export function readPromotionConfig(
  config: RootConfigService,
): PromotionConfig {
  const block = config.getOptionalConfig('devopsApp.promotion');
  const verification = block?.getOptionalConfig('verification');
  const stages = block?.getOptionalConfig('stages');
  const soak = new Map<string, number>();
  for (const name of stages?.keys() ?? []) {
    const s = stages!.getOptionalConfig(`${name}.soak`);
    if (!s) continue;
    const seconds =
      (s.getOptionalNumber('minutes') ?? 0) * 60 +
      (s.getOptionalNumber('seconds') ?? 0);
    if (!(seconds >= 0)) {
      throw new Error(
        `devopsApp.promotion.stages.${name}.soak must be a duration of zero or more`,
      );
    }
    soak.set(name, seconds);
  }
  return {
    verification: {
      maxErrorRatio: verification?.getOptionalNumber('maxErrorRatio') ?? 0.01,
      maxP95Seconds: verification?.getOptionalNumber('maxP95Seconds') ?? 0.5,
      minRequests: verification?.getOptionalNumber('minRequests') ?? 50,
      minWindowSeconds:
        verification?.getOptionalNumber('minWindowSeconds') ?? 300,
    },
    soakSeconds: environment => soak.get(environment) ?? DEFAULT_SOAK_SECONDS,
    freezes: (block?.getOptionalConfigArray('freezes') ?? []).map((f, i) =>
      parseFreezeWindow(
        {
          name: f.getString('name'),
          environments: f.getOptionalStringArray('environments'),
          description: f.getOptionalString('description'),
          start: f.getOptionalString('start'),
          end: f.getOptionalString('end'),
          weekly: f.has('weekly')
            ? {
                days: f.getStringArray('weekly.days'),
                start: f.getString('weekly.start'),
                end: f.getString('weekly.end'),
                timeZone: f.getString('weekly.timeZone'),
              }
            : undefined,
        },
        `devopsApp.promotion.freezes[${i}]`,
      ),
    ),
  };
}
