import { MetricsPanelName } from '@devops-app/plugin-devops-app-common';

/** What a panel template needs to become PromQL. All of it comes from the server, never the client. */
export interface PanelQueryContext {
  /** Label matchers from the entity's `devops-app.io/prometheus-selector` plus `environment="<env>"`. */
  matchers: string;
  /** Range of `rate()`, e.g. `60s`. */
  window: string;
  /** Split each series by rollout colour (joined from `model_info{colour}` by instance). */
  splitByColour: boolean;
}

/** One PromQL expression of a panel; `labels` are added to each of its series (e.g. the quantile). */
export interface PanelQuery {
  expr: string;
  labels: Record<string, string>;
}

function by(ctx: PanelQueryContext, ...labels: string[]): string {
  const all = ctx.splitByColour ? [...labels, 'colour'] : labels;
  return `sum by (${all.join(', ')})`;
}

/**
 * The rate of a counter, joined to the colour of the pod that exported it when split by colour: every
 * pod exports `model_info{colour} 1`, so `* on (instance) group_left (colour)` copies the colour label.
 */
function rate(
  ctx: PanelQueryContext,
  metric: string,
  extraMatchers = '',
): string {
  const selector = `${metric}{${ctx.matchers}${extraMatchers}}`;
  const base = `rate(${selector}[${ctx.window}])`;
  if (!ctx.splitByColour) {
    return base;
  }
  return `(${base} * on (instance) group_left (colour) max by (instance, colour) (model_info{${ctx.matchers}}))`;
}

function quantile(
  ctx: PanelQueryContext,
  q: number,
  histogram: string,
): PanelQuery {
  return {
    expr: `histogram_quantile(${q}, ${by(ctx, 'le')} (${rate(
      ctx,
      `${histogram}_bucket`,
    )}))`,
    labels: { quantile: `p${Math.round(q * 100)}` },
  };
}

/** The server-side templates of each panel. */
export const PANEL_TEMPLATES: Record<
  MetricsPanelName,
  (ctx: PanelQueryContext) => PanelQuery[]
> = {
  request_rate: ctx => [
    {
      expr: `${by(ctx)} (${rate(ctx, 'http_request_duration_seconds_count')})`,
      labels: {},
    },
  ],
  // Without any 5xx there is no 5xx series at all; `or (total * 0)` makes that a ratio of 0 rather
  // than no data, keeping the grouping labels (colour) of the total.
  error_ratio: ctx => {
    const total = `${by(ctx)} (${rate(
      ctx,
      'http_request_duration_seconds_count',
    )})`;
    const errors = `${by(ctx)} (${rate(
      ctx,
      'http_request_duration_seconds_count',
      ',status=~"5.."',
    )})`;
    return [{ expr: `(${errors} or (${total} * 0)) / ${total}`, labels: {} }];
  },
  latency: ctx => [
    quantile(ctx, 0.5, 'http_request_duration_seconds'),
    quantile(ctx, 0.95, 'http_request_duration_seconds'),
    quantile(ctx, 0.99, 'http_request_duration_seconds'),
  ],
  inference_duration: ctx => [
    quantile(ctx, 0.5, 'inference_duration_seconds'),
    quantile(ctx, 0.95, 'inference_duration_seconds'),
  ],
  predictions_by_outcome: ctx => [
    {
      expr: `${by(ctx, 'outcome')} (${rate(ctx, 'predictions_total')})`,
      labels: {},
    },
  ],
};

/** `sum by ()` is valid PromQL but reads oddly in logs and Prometheus's UI; drop the empty grouping. */
function tidy(expr: string): string {
  return expr.replace(/sum by \(\) /g, 'sum ');
}

export function buildPanelQueries(
  panel: MetricsPanelName,
  ctx: PanelQueryContext,
): PanelQuery[] {
  return PANEL_TEMPLATES[panel](ctx).map(q => ({ ...q, expr: tidy(q.expr) }));
}

const MATCHER =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$/;

/**
 * Checks the entity's selector annotation: comma-separated label matchers only, so an annotation cannot
 * smuggle an arbitrary expression into the templates.
 */
export function parseSelector(selector: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  let inString = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '\\' && inString) {
      current += c + (selector[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === ',' && !inString) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') parts.push(current);
  if (inString || parts.length === 0 || !parts.every(p => MATCHER.test(p))) {
    return undefined;
  }
  return parts.map(p => p.trim());
}
