import { RootConfigService as Config } from '@backstage/backend-plugin-api';
import { datadogAppUrl } from './datadog/DatadogLinks';

export interface PrometheusConfig {
  baseUrl: string;
  scrapeIntervalSeconds: number;
  timeoutMs: number;
}

export interface DatadogConfig {
  site: string;
  apiKey: string;
  appKey: string;
  /** Where the Datadog web app is, for deep links (Datadog's site table, see datadogAppUrl). */
  appUrl: string;
  /** Only for stand-ins in tests: the API's base URL instead of `https://api.<site>`. */
  apiBaseUrl?: string;
  timeoutMs: number;
}

/** `devopsApp.prometheus`; undefined when not configured (a state the UI shows, not an error). */
export function readPrometheusConfig(
  config: Config,
): PrometheusConfig | undefined {
  const block = config.getOptionalConfig('devopsApp.prometheus');
  const baseUrl = block?.getOptionalString('baseUrl');
  if (!block || !baseUrl) return undefined;
  return {
    baseUrl,
    scrapeIntervalSeconds:
      block.getOptionalNumber('scrapeIntervalSeconds') ?? 15,
    timeoutMs: block.getOptionalNumber('timeoutMs') ?? 10_000,
  };
}

/** `devopsApp.datadog`; undefined unless site and both keys are set. */
export function readDatadogConfig(config: Config): DatadogConfig | undefined {
  const block = config.getOptionalConfig('devopsApp.datadog');
  const site = block?.getOptionalString('site');
  const apiKey = block?.getOptionalString('apiKey');
  const appKey = block?.getOptionalString('appKey');
  if (!block || !site || !apiKey || !appKey) return undefined;
  return {
    site,
    apiKey,
    appKey,
    appUrl: block.getOptionalString('appUrl') ?? datadogAppUrl(site),
    apiBaseUrl: block.getOptionalString('apiBaseUrl'),
    timeoutMs: block.getOptionalNumber('timeoutMs') ?? 10_000,
  };
}
