/**
 * Test support: OpenMetrics samples of the inference service with known rates, two pods (blue on
 * instance a, green on instance b), one sample every 15 s.
 *
 * Per pod and scrape: 3 requests with status 200 (one under 0.1 s, two between 0.1 and 0.5 s) and 1 with
 * status 500 (between 0.5 and 1 s); blue predicts 3 success + 1 error, green 2 success + 1 rejected +
 * 1 error. Inference durations: all 4 between 0.05 and 0.2 s.
 */
export const SCRAPE_SECONDS = 15;

export interface KnownSamples {
  text: string;
  start: number;
  end: number;
}

interface Pod {
  instance: string;
  colour: string;
  outcomes: Record<string, number>;
}

const PODS: Pod[] = [
  {
    instance: 'a',
    colour: 'blue',
    outcomes: { success: 3, error: 1, rejected: 0 },
  },
  {
    instance: 'b',
    colour: 'green',
    outcomes: { success: 2, error: 1, rejected: 1 },
  },
];

/**
 * By default dev (with 5xx) and pre-prod (the same traffic without any 5xx, so there is no 5xx series
 * at all); `environments` names others, e.g. the samples of an environment's own Prometheus.
 */
export function knownSamples(
  start: number,
  end: number,
  environments: {
    name: string;
    withErrors: boolean;
    /** The `model_info{version}` the pods export; default 1.0.0. */
    version?: string;
  }[] = [
    { name: 'dev', withErrors: true },
    { name: 'pre-prod', withErrors: false },
  ],
): KnownSamples {
  const parts = environments.map(e =>
    samplesOf(start, end, e.name, e.withErrors, e.version ?? '1.0.0'),
  );
  return { text: `${mergeFamilies(parts)}# EOF\n`, start, end };
}

/** OpenMetrics wants each family once: merge the lines of several environments by family. */
function mergeFamilies(parts: Map<string, string[]>[]): string {
  const merged = new Map<string, string[]>();
  for (const part of parts) {
    for (const [family, lines] of part) {
      merged.set(family, [...(merged.get(family) ?? []), ...lines]);
    }
  }
  return [...merged]
    .map(([family, lines]) => `${family}\n${lines.join('\n')}\n`)
    .join('');
}

function samplesOf(
  start: number,
  end: number,
  environment: string,
  withErrors: boolean,
  version: string,
): Map<string, string[]> {
  const times: number[] = [];
  for (let t = start; t <= end; t += SCRAPE_SECONDS) times.push(t);
  const families = new Map<string, string[]>();
  const current = { lines: [] as string[] };
  const family = (header: string) => {
    current.lines = [];
    families.set(header, current.lines);
  };
  const base = (pod: Pod) =>
    `service="inference-service",environment="${environment}",instance="${pod.instance}",job="inference"`;

  family('# TYPE http_request_duration_seconds histogram');
  const httpBuckets: Record<string, Record<string, number>> = {
    '200': { '0.1': 1, '0.5': 3, '1': 3, '+Inf': 3 },
    '500': { '0.1': 0, '0.5': 0, '1': 1, '+Inf': 1 },
  };
  if (!withErrors) delete httpBuckets['500'];
  for (const pod of PODS) {
    for (const [status, buckets] of Object.entries(httpBuckets)) {
      const labels = `${base(
        pod,
      )},method="POST",route="/v1/predict",status="${status}"`;
      for (const [le, perScrape] of Object.entries(buckets)) {
        times.forEach((t, i) =>
          current.lines.push(
            `http_request_duration_seconds_bucket{${labels},le="${le}"} ${
              perScrape * (i + 1)
            } ${t}`,
          ),
        );
      }
      times.forEach((t, i) =>
        current.lines.push(
          `http_request_duration_seconds_count{${labels}} ${
            buckets['+Inf'] * (i + 1)
          } ${t}`,
        ),
      );
      times.forEach((t, i) =>
        current.lines.push(
          `http_request_duration_seconds_sum{${labels}} ${
            0.3 * buckets['+Inf'] * (i + 1)
          } ${t}`,
        ),
      );
    }
  }

  family('# TYPE inference_duration_seconds histogram');
  const inferenceBuckets: Record<string, number> = {
    '0.05': 0,
    '0.2': 4,
    '1': 4,
    '+Inf': 4,
  };
  for (const pod of PODS) {
    for (const [le, perScrape] of Object.entries(inferenceBuckets)) {
      times.forEach((t, i) =>
        current.lines.push(
          `inference_duration_seconds_bucket{${base(pod)},le="${le}"} ${
            perScrape * (i + 1)
          } ${t}`,
        ),
      );
    }
    times.forEach((t, i) =>
      current.lines.push(
        `inference_duration_seconds_count{${base(pod)}} ${4 * (i + 1)} ${t}`,
      ),
    );
    times.forEach((t, i) =>
      current.lines.push(
        `inference_duration_seconds_sum{${base(pod)}} ${0.4 * (i + 1)} ${t}`,
      ),
    );
  }

  family('# TYPE predictions counter');
  for (const pod of PODS) {
    for (const [outcome, perScrape] of Object.entries(pod.outcomes)) {
      times.forEach((t, i) =>
        current.lines.push(
          `predictions_total{${base(pod)},outcome="${outcome}"} ${
            perScrape * (i + 1)
          } ${t}`,
        ),
      );
    }
  }

  family('# TYPE model_info gauge');
  for (const pod of PODS) {
    times.forEach(t =>
      current.lines.push(
        `model_info{${base(pod)},version="${version}",colour="${
          pod.colour
        }"} 1 ${t}`,
      ),
    );
  }
  return families;
}
