import {
  MetricsPanelRequest,
  MetricsPanelResponse,
  METRICS_PANEL_INFO,
} from '@devops-app/plugin-devops-app-common';

/** The backend's answer for a panel with no series (Prometheus has none), titled as the panel unless told. */
export function emptyPanel(
  r: MetricsPanelRequest,
  title = METRICS_PANEL_INFO[r.panel].title,
): MetricsPanelResponse {
  return {
    configured: true,
    panel: r.panel,
    title,
    unit: METRICS_PANEL_INFO[r.panel].unit,
    environment: r.environment,
    start: 0,
    end: 60,
    step: 15,
    splitByColour: Boolean(r.splitByColour),
    series: [],
  };
}
