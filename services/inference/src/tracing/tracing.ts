import type { Tracer } from 'dd-trace';

/** Trace ids for log/trace correlation, in the `dd` shape Datadog's log pipeline reads. */
export interface LogTraceContext {
  trace_id: string;
  span_id: string;
  service?: string;
  env?: string;
  version?: string;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `work` in a child span of the active span (the request's), named `name`. */
  span<T>(
    name: string,
    tags: Record<string, string | number>,
    work: () => Promise<T>,
  ): Promise<T>;
  /** The active span's ids, for the log lines written under it. */
  logContext(): LogTraceContext | undefined;
}

const noopTracing: Tracing = {
  enabled: false,
  span: (_name, _tags, work) => work(),
  logContext: () => undefined,
};

class DatadogTracing implements Tracing {
  readonly enabled = true;

  constructor(
    private readonly tracer: Tracer,
    private readonly correlateLogs: boolean,
  ) {}

  span<T>(
    name: string,
    tags: Record<string, string | number>,
    work: () => Promise<T>,
  ): Promise<T> {
    return this.tracer.trace(name, { tags }, () => work());
  }

  logContext(): LogTraceContext | undefined {
    if (!this.correlateLogs) {
      return undefined;
    }
    const span = this.tracer.scope().active();
    if (!span) {
      return undefined;
    }
    // The 'log' format is dd-trace's own log-injection propagator: same ids, same 128-bit rules.
    const carrier: { dd?: LogTraceContext } = {};
    this.tracer.inject(span.context(), 'log', carrier);
    return carrier.dd?.trace_id ? carrier.dd : undefined;
  }
}

type Env = Record<string, string | undefined>;

function isOff(value: string | undefined): boolean {
  return ['false', '0', 'no', 'off'].includes(
    value?.trim().toLowerCase() ?? '',
  );
}

let current: Tracing = noopTracing;

/**
 * Starts dd-trace, which must happen before fastify, http or the Azure SDK are loaded so its
 * instrumentation can wrap them: main.ts imports ./register first for that reason.
 *
 * With DD_TRACE_ENABLED=false dd-trace is not even loaded (loading it installs its module hooks),
 * which is what the instrumentation benchmark's "off" side relies on. With no agent listening, traces
 * are dropped quietly: dd-trace only reports agent errors with DD_TRACE_DEBUG=true, and startup logs,
 * remote configuration and its own telemetry are off unless asked for.
 */
export function startTracing(env: Env = process.env): Tracing {
  if (current.enabled || isOff(env.DD_TRACE_ENABLED)) {
    return current;
  }
  if (process.env.DD_REMOTE_CONFIGURATION_ENABLED === undefined) {
    // Nothing in this service is configured remotely; polling an absent agent would only add noise.
    process.env.DD_REMOTE_CONFIGURATION_ENABLED = 'false';
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tracer: Tracer = require('dd-trace');
  tracer.init({
    // env and version come from DD_ENV and DD_VERSION, which dd-trace reads itself.
    service: env.DD_SERVICE?.trim() || 'inference-service',
    // Correlation is done by our logger (see logging/logger.ts), so dd-trace's own pino hook stays
    // off: two of them would write the `dd` key twice.
    logInjection: false,
  });
  current = new DatadogTracing(tracer, !isOff(env.DD_LOGS_INJECTION));
  return current;
}

/** The tracing set up by startTracing, or a no-op when tracing is off. */
export function currentTracing(): Tracing {
  return current;
}
