import { useApi } from '@backstage/core-plugin-api';
import {
  MetricsPanelRequest,
  MetricsPanelResponse,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import { devopsAppApiRef } from '../../api';
import { readMetricsPanel } from '../../hooks/preloadedReads';
import { useLiveData } from '../../hooks/useLiveData';

export interface PanelState {
  value?: MetricsPanelResponse | NotConfiguredResponse;
  error?: Error;
  /** The error as shown: "<message> — retrying in N s" after a 429. */
  errorMessage?: string;
  loading: boolean;
}

/**
 * Reads one panel and, through `useLiveData`, reads it again every `refreshMs` (when set) while the
 * page is visible. A new request (environment, range, overlay) starts from a spinner; while a refresh
 * runs, and after one fails, the previous answer stays on screen, so auto-refresh does not flash.
 */
export function usePanel(
  request: MetricsPanelRequest,
  refreshMs?: number,
): PanelState {
  const api = useApi(devopsAppApiRef);
  const key = JSON.stringify(request);
  const { value, error, errorMessage, loading } = useLiveData(
    key,
    async () => readMetricsPanel(api, JSON.parse(key)),
    { intervalMs: refreshMs ?? null },
  );
  return { value, error, errorMessage, loading };
}
