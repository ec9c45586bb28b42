import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  DoraMetricsResponse,
  DoraPeriod,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { loadEntityForCaller } from '../../request';
import { AuditStore } from '../AuditStore';
import { computeDora } from './metrics';

/** How many of a service's audit entries the metrics read (newest first; 90 days fit many times). */
const MAX_ENTRIES = 20_000;

/**
 * The DORA metrics of a service in one of its environments, for a caller who may read the service in
 * the catalog (404 otherwise, as every read of the plugin; 400 naming an environment the service does
 * not have). Computed from the portal's audit entries (see `computeDora`).
 */
export class DoraService {
  constructor(
    private readonly options: {
      environments: EnvironmentResolver;
      audit: AuditStore;
      /** A rollback or abort this long after a deploy marks it failed; default 24. */
      failureWindowHours?: number;
      now?: () => Date;
    },
  ) {}

  async metrics(request: {
    credentials: BackstageCredentials;
    entityRef: string;
    environment: string;
    days: DoraPeriod;
  }): Promise<DoraMetricsResponse> {
    const { entityRef, environment } = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    const records = await this.options.audit.list<string>({
      entityRef,
      limit: MAX_ENTRIES,
    });
    return computeDora({
      entityRef,
      environment: environment.name,
      production: environment.production ?? false,
      days: request.days,
      now: this.options.now?.() ?? new Date(),
      failureWindowHours: this.options.failureWindowHours ?? 24,
      records,
    });
  }
}
