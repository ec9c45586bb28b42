import { useApi } from '@backstage/core-plugin-api';
import {
  MetricsPanelRequest,
  MetricsPanelResponse,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';

export interface PanelState {
  value?: MetricsPanelResponse | NotConfiguredResponse;
  error?: Error;
  loading: boolean;
}

/**
 * Reads one panel and reads it again every `refreshMs` (when set). While a refresh runs the previous
 * answer stays on screen, so auto-refresh does not flash a spinner.
 */
export function usePanel(
  request: MetricsPanelRequest,
  refreshMs?: number,
): PanelState {
  const api = useApi(devopsAppApiRef);
  const [state, setState] = useState<PanelState>({ loading: true });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(request);

  useEffect(() => {
    if (!refreshMs) return undefined;
    const timer = setInterval(() => setTick(t => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  // A new request (environment, range, overlay) starts from a spinner; a tick keeps the old answer.
  useEffect(() => {
    setState({ loading: true });
  }, [key]);

  useEffect(() => {
    let cancelled = false;
    // Through a promise so that any failure, even a synchronous one, becomes the error state.
    Promise.resolve(key)
      .then(k => api.getMetricsPanel(JSON.parse(k)))
      .then(
        value => !cancelled && setState({ value, loading: false }),
        error =>
          !cancelled &&
          setState(s => ({ value: s.value, error, loading: false })),
      );
    return () => {
      cancelled = true;
    };
  }, [api, key, tick]);

  return state;
}
