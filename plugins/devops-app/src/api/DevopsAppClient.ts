import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ConfiguredEnvironment, DevopsAppApi } from './DevopsAppApi';

/**
 * Client of the devops-app backend. Uses the app's discovery and fetch APIs so that requests carry the
 * user's Backstage token; never the global fetch.
 * @public
 */
export class DevopsAppClient implements DevopsAppApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getConfiguredEnvironments(): Promise<ConfiguredEnvironment[]> {
    const body = await this.get<{ items: ConfiguredEnvironment[] }>('/environments');
    return body.items;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('devops-app');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
