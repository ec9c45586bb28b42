import { ServiceUnavailableError } from '@backstage/errors';

/** One series of a Prometheus `matrix` result. */
export interface PrometheusMatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface RangeQuery {
  query: string;
  start: number;
  end: number;
  step: number;
}

/**
 * Reads Prometheus's HTTP API (`/api/v1/query_range`). Failures become errors that name Prometheus and
 * say what went wrong, so the UI can tell "Prometheus is down" from "no data". They name it by `name`
 * (which Prometheus, in the words of the configuration), never by its address: answers carry no
 * internal addresses.
 */
export class PrometheusClient {
  private readonly name: string;

  constructor(
    private readonly options: {
      baseUrl: string;
      timeoutMs: number;
      name?: string;
    },
  ) {
    this.name = options.name ?? 'Prometheus (devopsApp.prometheus.baseUrl)';
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async queryRange(q: RangeQuery): Promise<PrometheusMatrixSeries[]> {
    const body = new URLSearchParams({
      query: q.query,
      start: String(q.start),
      end: String(q.end),
      step: String(q.step),
    });
    const url = `${this.options.baseUrl.replace(
      /\/+$/,
      '',
    )}/api/v1/query_range`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason =
        // Not `instanceof Error`: the abort reason is a DOMException, of another realm under Jest.
        (error as { name?: string } | undefined)?.name === 'TimeoutError'
          ? `not answering (no answer within ${this.options.timeoutMs} ms)`
          : // The cause's code (ECONNREFUSED, ENOTFOUND), not its message, which holds the address.
            `unreachable (${
              (error as { cause?: { code?: string } })?.cause?.code ??
              'connection failed'
            })`;
      throw new ServiceUnavailableError(`${this.name} is ${reason}`);
    }
    const text = await response.text();
    let parsed: {
      status?: string;
      error?: string;
      data?: { resultType?: string; result?: unknown };
    };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ServiceUnavailableError(
        `${this.name} answered ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok || parsed.status !== 'success') {
      throw new ServiceUnavailableError(
        `${this.name} answered ${response.status}: ${
          parsed.error ?? 'no error message'
        }`,
      );
    }
    if (
      parsed.data?.resultType !== 'matrix' ||
      !Array.isArray(parsed.data.result)
    ) {
      throw new ServiceUnavailableError(
        `${this.name} answered a ${parsed.data?.resultType} where a matrix was expected`,
      );
    }
    return parsed.data.result as PrometheusMatrixSeries[];
  }
}
