import { mockServices } from '@backstage/backend-test-utils';
import { readDatadogConfig } from '../config';
import { DatadogLinks, datadogAppUrl } from './DatadogLinks';

/**
 * Each site of Datadog's site table (https://docs.datadoghq.com/getting_started/site/: Site, Site URL,
 * Site Parameter) opens its own web app.
 */
describe('Datadog deep links per site', () => {
  it.each([
    ['US1', 'datadoghq.com', 'https://app.datadoghq.com'],
    ['US3', 'us3.datadoghq.com', 'https://us3.datadoghq.com'],
    ['US5', 'us5.datadoghq.com', 'https://us5.datadoghq.com'],
    ['EU1', 'datadoghq.eu', 'https://app.datadoghq.eu'],
    ['US1-FED', 'ddog-gov.com', 'https://app.ddog-gov.com'],
    ['US2-FED', 'us2.ddog-gov.com', 'https://us2.ddog-gov.com'],
    ['AP1', 'ap1.datadoghq.com', 'https://ap1.datadoghq.com'],
    ['AP2', 'ap2.datadoghq.com', 'https://ap2.datadoghq.com'],
  ])('%s (site %s) links to %s', (_name, site, appUrl) => {
    expect(datadogAppUrl(site)).toBe(appUrl);
    const config = readDatadogConfig(
      mockServices.rootConfig({
        data: { devopsApp: { datadog: { site, apiKey: 'a', appKey: 'b' } } },
      }),
    );
    expect(config?.appUrl).toBe(appUrl);
    const links = new DatadogLinks(config!.appUrl);
    expect(links.monitor(7)).toBe(`${appUrl}/monitors/7`);
    expect(links.trace('12')).toBe(`${appUrl}/apm/trace/12`);
    expect(links.logs('service:x', 1, 2)).toBe(
      `${appUrl}/logs?query=service%3Ax&from_ts=1&to_ts=2&live=false`,
    );
  });

  it('follows the table for a site it does not list, and keeps a configured appUrl', () => {
    expect(datadogAppUrl('us7.datadoghq.com')).toBe(
      'https://us7.datadoghq.com',
    );
    expect(datadogAppUrl('datadoghq.example')).toBe(
      'https://app.datadoghq.example',
    );
    const config = readDatadogConfig(
      mockServices.rootConfig({
        data: {
          devopsApp: {
            datadog: {
              site: 'us3.datadoghq.com',
              apiKey: 'a',
              appKey: 'b',
              appUrl: 'https://acme.datadoghq.com/',
            },
          },
        },
      }),
    );
    expect(new DatadogLinks(config!.appUrl).monitor(1)).toBe(
      'https://acme.datadoghq.com/monitors/1',
    );
  });
});
