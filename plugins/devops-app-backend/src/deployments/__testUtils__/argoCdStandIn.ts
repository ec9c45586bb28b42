import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  matchesSelector,
  parseLabelSelector,
  SelectorError,
} from '../../__testUtils__/labelSelector';

/**
 * A stand-in Argo CD server on 127.0.0.1 that answers like Argo CD's REST API (grpc-gateway; the
 * OpenAPI description is assets/swagger.json in argoproj/argo-cd) for the calls the portal makes:
 *   GET  /api/v1/applications?selector=            -> v1alpha1ApplicationList
 *   GET  /api/v1/applications/{name}               -> v1alpha1Application
 *   POST /api/v1/applications/{name}/sync          -> v1alpha1Application (body applicationApplicationSyncRequest)
 *   GET  /api/v1/applications/{name}/revisions/{revision}/metadata
 *                                                  -> v1alpha1RevisionMetadata {author, date, message, tags}
 *        (read by Roadie's Argo CD history card through the backend's proxy)
 *   GET  /api/v1/applications/{name}/resource-tree -> v1alpha1ApplicationTree
 *        (the Rollout, and its AnalysisRuns as child nodes with parentRefs naming the Rollout: Argo CD
 *        shows resources a managed resource owns through ownerReferences in the tree, and Argo
 *        Rollouts makes the Rollout the owner of the AnalysisRuns it starts)
 *   GET  /api/v1/applications/{name}/resource?namespace&resourceName&version&group&kind
 *                                                  -> applicationApplicationResourceResponse {manifest}
 *        (the Rollout, or one of its AnalysisRuns: `getAppLiveResource` finds any node of the tree)
 *   POST /api/v1/applications/{name}/resource/actions/v2
 *        body applicationResourceActionRunRequestV2 {name, namespace, resourceName, version, group, kind,
 *        action, appNamespace?, project?, resourceActionParameters?: [{name, value}]}
 *                                                  -> applicationApplicationResponse {}
 *        (Argo CD 3.x; with `resourceActionsV2: false` the stand-in is an older Argo CD without this
 *        route, which its gateway answers like any unknown route)
 *   POST /api/v1/applications/{name}/resource/actions?namespace&resourceName&version&group&kind
 *        body: the action name as a JSON string    -> {} (deprecated in 3.x, still served)
 * Errors are runtimeError bodies {error, code, message} (assets/swagger.json) with the HTTP status
 * grpc-gateway gives the gRPC code, as Argo CD's application server (server/application/application.go)
 * answers them:
 * - 401 Unauthenticated (16): a bad token.
 * - 403 PermissionDenied (7) "permission denied": an application that does not exist, or one the token
 *   may not see; `getAppEnforceRBAC` answers both alike (argocommon.PermissionDeniedAPIError) so that
 *   existence does not leak.
 * - 404 NotFound (5) `applications.argoproj.io "<name>" not found`: a request that names a project
 *   (resource actions v2) for an application not in that project (`getAppEnforceRBAC`).
 * - 400 InvalidArgument (3) "<kind> <group> <name> not found as part of application <app>": a resource
 *   the application does not manage (`getAppLiveResource`), for GET .../resource and for actions.
 * - 500 Unknown (2) "error getting Lua resource action: built-in script does not exist": an action the
 *   resource kind has no script for (`RunResourceActionV2` wraps util/lua's errScriptDoesNotExist with
 *   fmt.Errorf, which is no gRPC status, so the gateway answers Unknown).
 * - 500 Unknown (2) "error parsing the selector: ...": a selector `labels.Parse` refuses (List).
 * - 400 FailedPrecondition (9) "another operation is already in progress" (sync).
 * A route the gateway does not know is not a gRPC status: grpc-gateway v1.16 (pinned in Argo CD's
 * go.mod) writes `http.Error(w, "Not Found", 404)`, a text/plain body (runtime/mux.go).
 * Argo CD itself has no API rate limit; `rateLimitNext` makes the stand-in answer as a rate-limiting
 * proxy in front of it does: 429 with Retry-After (RFC 9110 section 10.2.3).
 * `selector` is parsed with the full Kubernetes label-selector grammar (../../__testUtils__/labelSelector).
 * Actions for argoproj.io/Rollout follow Argo CD's built-in Lua actions
 * (resource_customizations/argoproj.io/Rollout/actions): promote-full sets status.promoteFull, abort
 * sets status.abort; the other built-in ones (resume, retry, restart, pause, skip-current-step) are
 * accepted and change nothing here.
 */
export interface StandInApp {
  application: any;
  rollout?: any;
  /** Answer 403 for everything about this application. */
  forbidden?: boolean;
  /**
   * Answer 403 to resource actions only: the token may read and sync the application but has no
   * `action/argoproj.io/Rollout/*` right in Argo CD's RBAC.
   */
  actionsForbidden?: boolean;
  /**
   * AnalysisRuns (argoproj.io/v1alpha1) the Rollout owns, as Argo Rollouts writes them (see
   * `analysisRun`); shown in the resource tree under the Rollout and readable through `.../resource`.
   */
  analysisRuns?: any[];
  /** The git commits of the application's source, by revision, for `.../revisions/{revision}/metadata`. */
  revisions?: Record<
    string,
    { author: string; date: string; message: string; tags?: string[] }
  >;
}

export interface StandInOptions {
  /** Serve `POST .../resource/actions/v2` (Argo CD 3.x). Default true; false = an older Argo CD. */
  resourceActionsV2?: boolean;
}

/** Argo CD's built-in Lua actions of argoproj.io/Rollout (resource_customizations/.../actions). */
const ROLLOUT_ACTIONS = [
  'abort',
  'pause',
  'promote-full',
  'restart',
  'resume',
  'retry',
  'skip-current-step',
];

/**
 * The application routes served (method, path after /api/v1/applications/{name}, id, the schema of the
 * 200 answer in assets/swagger.json); anything else is a route the gateway does not know.
 */
const ROUTES: [string, RegExp, string, string][] = [
  ['GET', /^$/, 'get', 'v1alpha1Application'],
  ['POST', /^\/sync$/, 'sync', 'v1alpha1Application'],
  [
    'GET',
    /^\/revisions\/[^/]+\/metadata$/,
    'revisionMetadata',
    'v1alpha1RevisionMetadata',
  ],
  ['GET', /^\/resource-tree$/, 'resourceTree', 'v1alpha1ApplicationTree'],
  ['GET', /^\/resource$/, 'resource', 'applicationApplicationResourceResponse'],
  [
    'POST',
    /^\/resource\/actions$/,
    'actions',
    'applicationApplicationResponse',
  ],
  [
    'POST',
    /^\/resource\/actions\/v2$/,
    'actionsV2',
    'applicationApplicationResponse',
  ],
];

export async function startArgoCdStandIn(
  token: string,
  apps: StandInApp[],
  options: StandInOptions = {},
) {
  const resourceActionsV2 = options.resourceActionsV2 ?? true;
  const requests: { method: string; path: string; body?: unknown }[] = [];
  /** Every response body, by route, for the schema test (assets/swagger.json). */
  const responses: { route: string; status: number; body: unknown }[] = [];
  const byName = new Map(apps.map(a => [a.application.metadata.name, a]));
  let limited = 0;
  let limitedRetryAfter = 1;
  let route = '';

  function error(
    res: http.ServerResponse,
    status: number,
    code: number,
    message: string,
  ) {
    const body = { error: message, code, message };
    responses.push({ route: 'runtimeError', status, body });
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  function json(res: http.ServerResponse, body: unknown) {
    responses.push({ route, status: 200, body });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  /** grpc-gateway v1.16's answer to a route it does not know (OtherErrorHandler -> http.Error). */
  function noRoute(res: http.ServerResponse) {
    res.writeHead(404, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end('Not Found\n');
  }
  const permissionDenied = (res: http.ServerResponse) =>
    error(res, 403, 7, 'permission denied');
  const notPartOf = (
    res: http.ServerResponse,
    app: StandInApp,
    t: { kind: unknown; group: unknown; resourceName: unknown },
  ) =>
    error(
      res,
      400,
      3,
      `${t.kind} ${t.group} ${t.resourceName} not found as part of application ${app.application.metadata.name}`,
    );

  /** Argo CD's built-in Lua actions of argoproj.io/Rollout. */
  function runAction(
    res: http.ServerResponse,
    app: StandInApp,
    target: {
      kind: string | null;
      group: string | null;
      version: string | null;
      resourceName: string | null;
      namespace: string | null;
      action: unknown;
    },
  ) {
    if (app.actionsForbidden) {
      // getAppEnforceRBAC with the action's RBAC name (action/<group>/<kind>/<action>) denied.
      permissionDenied(res);
      return;
    }
    const r = app.rollout;
    if (
      !r ||
      target.kind !== 'Rollout' ||
      target.group !== 'argoproj.io' ||
      target.version !== 'v1alpha1' ||
      target.resourceName !== r.metadata.name ||
      target.namespace !== r.metadata.namespace
    ) {
      notPartOf(res, app, target);
      return;
    }
    if (target.action === 'promote-full') {
      r.status.promoteFull = true;
    } else if (target.action === 'abort') {
      r.status.abort = true;
    } else if (!ROLLOUT_ACTIONS.includes(String(target.action))) {
      error(
        res,
        500,
        2,
        'error getting Lua resource action: built-in script does not exist',
      );
      return;
    }
    json(res, {});
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', c => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({
        method: req.method ?? '',
        path: `${url.pathname}${url.search}`,
        body,
      });
      if (limited > 0) {
        limited--;
        res.writeHead(429, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Retry-After': String(limitedRetryAfter),
        });
        res.end('Too Many Requests\n');
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        error(res, 401, 16, 'invalid session: token signature is invalid');
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/v1/applications') {
        route = 'v1alpha1ApplicationList';
        let requirements;
        try {
          requirements = parseLabelSelector(
            url.searchParams.get('selector') ?? '',
          );
        } catch (e) {
          if (!(e instanceof SelectorError)) throw e;
          error(res, 500, 2, `error parsing the selector: ${e.message}`);
          return;
        }
        json(res, {
          metadata: {},
          items: apps
            .filter(
              a =>
                !a.forbidden &&
                matchesSelector(a.application.metadata.labels, requirements),
            )
            .map(a => a.application),
        });
        return;
      }
      const m = /^\/api\/v1\/applications\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (!m) {
        noRoute(res);
        return;
      }
      const sub = m[2] ?? '';
      const known = ROUTES.find(
        ([method, pattern]) => method === req.method && pattern.test(sub),
      );
      if (!known || (!resourceActionsV2 && known[2] === 'actionsV2')) {
        noRoute(res);
        return;
      }
      route = known[3];
      const app = byName.get(decodeURIComponent(m[1]));
      // getAppEnforceRBAC (server/application/application.go). Without a project: a missing and a
      // forbidden application both answer 403 "permission denied". With a project (resource actions
      // v2): forbidden is 403; missing, or in another project, is 404 NotFound.
      const project =
        known[2] === 'actionsV2'
          ? (body as { project?: unknown } | undefined)?.project
          : url.searchParams.get('project');
      const named = typeof project === 'string' && project !== '';
      if (app?.forbidden || (!app && !named)) {
        permissionDenied(res);
        return;
      }
      if (
        !app ||
        (named && project !== (app.application.spec?.project || 'default'))
      ) {
        error(
          res,
          404,
          5,
          `applications.argoproj.io "${decodeURIComponent(m[1])}" not found`,
        );
        return;
      }
      const status = (app.application.status ??= {});
      if (req.method === 'GET' && sub === '') {
        json(res, app.application);
      } else if (req.method === 'POST' && sub === '/sync') {
        if (status.operationState?.phase === 'Running') {
          error(res, 400, 9, 'another operation is already in progress');
          return;
        }
        status.operationState = {
          phase: 'Running',
          message: 'one or more tasks are running',
          startedAt: '2026-11-25T15:00:00Z',
        };
        json(res, app.application);
      } else if (
        req.method === 'GET' &&
        /^\/revisions\/[^/]+\/metadata$/.test(sub)
      ) {
        const revision = decodeURIComponent(sub.split('/')[2]);
        const metadata = app.revisions?.[revision];
        if (!metadata) {
          // The repo server's git error, passed through as gRPC Unknown.
          error(res, 500, 2, `unable to resolve revision ${revision}`);
          return;
        }
        json(res, metadata);
      } else if (req.method === 'GET' && sub === '/resource-tree') {
        const nodes = app.rollout
          ? [
              {
                group: 'argoproj.io',
                version: 'v1alpha1',
                kind: 'Rollout',
                namespace: app.rollout.metadata.namespace,
                name: app.rollout.metadata.name,
                uid: 'r-1',
                health: {
                  status:
                    app.rollout.status?.phase === 'Paused'
                      ? 'Suspended'
                      : 'Healthy',
                },
              },
              ...(app.analysisRuns ?? []).map((run, i) => ({
                group: 'argoproj.io',
                version: 'v1alpha1',
                kind: 'AnalysisRun',
                namespace: run.metadata.namespace,
                name: run.metadata.name,
                uid: `ar-${i + 1}`,
                parentRefs: [
                  {
                    group: 'argoproj.io',
                    kind: 'Rollout',
                    namespace: app.rollout.metadata.namespace,
                    name: app.rollout.metadata.name,
                    uid: 'r-1',
                  },
                ],
                // Argo CD's built-in health of argoproj.io/AnalysisRun (resource_customizations).
                health: { status: analysisRunHealth(run.status?.phase) },
              })),
            ]
          : [];
        json(res, { nodes });
      } else if (req.method === 'GET' && sub === '/resource') {
        const q = url.searchParams;
        const r =
          q.get('kind') === 'AnalysisRun'
            ? app.rollout &&
              app.analysisRuns?.find(
                a => a.metadata.name === q.get('resourceName'),
              )
            : app.rollout;
        if (
          !r ||
          (q.get('kind') !== 'Rollout' && q.get('kind') !== 'AnalysisRun') ||
          q.get('group') !== 'argoproj.io' ||
          q.get('resourceName') !== r.metadata.name ||
          q.get('namespace') !== r.metadata.namespace
        ) {
          notPartOf(res, app, {
            kind: q.get('kind'),
            group: q.get('group'),
            resourceName: q.get('resourceName'),
          });
          return;
        }
        json(res, { manifest: JSON.stringify(r) });
      } else if (req.method === 'POST' && sub === '/resource/actions') {
        const q = url.searchParams;
        runAction(res, app, {
          kind: q.get('kind'),
          group: q.get('group'),
          version: q.get('version'),
          resourceName: q.get('resourceName'),
          namespace: q.get('namespace'),
          action: body,
        });
      } else if (known[2] === 'actionsV2') {
        // grpc-gateway binds the path's {name} into the body's `name`; the proto marks name,
        // resourceName, version, kind and action required.
        const b = (body ?? {}) as Record<string, unknown>;
        for (const field of [
          'name',
          'resourceName',
          'version',
          'kind',
          'action',
        ]) {
          if (typeof b[field] !== 'string' || b[field] === '') {
            error(res, 400, 3, `${field} is required`);
            return;
          }
        }
        if (b.name !== app.application.metadata.name) {
          error(res, 400, 3, `name ${b.name} does not match the path`);
          return;
        }
        if (
          b.resourceActionParameters !== undefined &&
          !(
            Array.isArray(b.resourceActionParameters) &&
            b.resourceActionParameters.every(
              (p: any) => typeof p?.name === 'string',
            )
          )
        ) {
          error(res, 400, 3, 'resourceActionParameters: list of {name, value}');
          return;
        }
        runAction(res, app, {
          kind: b.kind as string,
          group: (b.group as string | undefined) ?? null,
          version: b.version as string,
          resourceName: b.resourceName as string,
          namespace: (b.namespace as string | undefined) ?? null,
          action: b.action,
        });
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    responses,
    /** The next `count` requests answer 429 with `Retry-After: retryAfterSeconds`. */
    rateLimitNext(count: number, retryAfterSeconds: number) {
      limited = count;
      limitedRetryAfter = retryAfterSeconds;
    },
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

const SYNC_POLICIES: Record<string, object> = {
  true: { automated: { prune: true, selfHeal: true } },
  false: { syncOptions: ['CreateNamespace=true'] },
  disabled: {
    automated: { enabled: false, prune: true, selfHeal: true },
    syncOptions: ['CreateNamespace=true'],
  },
};

/**
 * An Application as charts/argocd-apps renders it, with a status. `automated: 'disabled'` is a manual
 * application as Argo CD itself leaves one: `argocd app set --self-heal/--auto-prune` on an application
 * without automated sync writes `automated: {enabled: false, ...}` (cmd/util/app.go), and Argo CD echoes
 * the stored spec (SyncPolicyAutomated.Enabled, json "enabled,omitempty", pkg/apis/.../types.go).
 */
export function application(
  env: string,
  options: { automated: boolean | 'disabled'; images?: string[] },
) {
  return {
    metadata: {
      name: `inference-${env}`,
      namespace: 'argocd',
      labels: {
        'devops-app.io/service': 'inference-service',
        'devops-app.io/environment': env,
      },
      annotations: {
        'devops-app.io/values-file': `charts/inference/${
          env === 'dev' ? 'values.yaml' : `values-${env}.yaml`
        }`,
        'devops-app.io/rollout': 'inference',
        'devops-app.io/colour': 'blue',
      },
    },
    spec: {
      project: 'devops-app',
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: `inference-${env}`,
      },
      syncPolicy: structuredClone(SYNC_POLICIES[String(options.automated)]),
    },
    status: {
      sync: { status: 'OutOfSync', revision: 'abc123' },
      health: { status: 'Suspended' },
      summary: {
        images: options.images ?? ['devopsapp.azurecr.io/inference:0.1.0'],
      },
    },
  };
}

/** A blue/green Rollout paused for promotion: green (preview) is up next to blue (active). */
export function pausedRollout(env: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'inference', namespace: `inference-${env}` },
    spec: {
      strategy: {
        blueGreen: {
          activeService: 'inference-active',
          previewService: 'inference-preview',
          autoPromotionEnabled: false,
        },
      },
      template: {
        metadata: { labels: { 'devops-app.io/colour': 'green' } },
        spec: {
          containers: [
            {
              name: 'inference',
              image: 'devopsapp.azurecr.io/inference:0.2.0',
            },
          ],
        },
      },
    },
    status: {
      phase: 'Paused',
      message: 'BlueGreenPause',
      pauseConditions: [
        { reason: 'BlueGreenPause', startTime: '2026-11-25T14:00:00Z' },
      ],
      currentPodHash: '7c9d8f6b5',
      stableRS: '5f6d4c8b7',
      blueGreen: { activeSelector: '5f6d4c8b7', previewSelector: '7c9d8f6b5' },
    },
  };
}

/**
 * Argo CD's built-in health of an AnalysisRun (resource_customizations/argoproj.io/AnalysisRun/
 * health.lua): Successful is Healthy; Failed and Error are Degraded; Inconclusive is Unknown;
 * Pending and Running are Progressing.
 */
function analysisRunHealth(phase?: string): string {
  if (phase === 'Successful') return 'Healthy';
  if (phase === 'Failed' || phase === 'Error') return 'Degraded';
  if (phase === 'Inconclusive') return 'Unknown';
  return 'Progressing';
}

/** One metric of an AnalysisRun: its phase and its measurements' values, newest last. */
export interface StandInMetric {
  name: string;
  phase: 'Successful' | 'Failed' | 'Error' | 'Inconclusive' | 'Running';
  values: string[];
  message?: string;
}

/**
 * An AnalysisRun as Argo Rollouts writes it for a blue/green pre-promotion analysis
 * (argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/analysis_types.go: AnalysisRunStatus {phase,
 * message, metricResults: [MetricResult {name, phase, measurements: [Measurement {phase, value,
 * startedAt, finishedAt}], count, successful, failed, inconclusive, error}], runSummary, startedAt}).
 * Its name is the one the Rollout's status.blueGreen.prePromotionAnalysisRunStatus names
 * (`<rollout>-<pod-template-hash>-<revision>-pre`); its metric measured each value once, a value
 * failing when the metric failed.
 */
export function analysisRun(
  env: string,
  options: {
    name: string;
    podTemplateHash: string;
    phase: 'Successful' | 'Failed' | 'Error' | 'Inconclusive' | 'Running';
    metrics: StandInMetric[];
    message?: string;
  },
) {
  const at = (i: number) =>
    new Date(Date.parse('2026-11-25T14:00:00Z') + i * 60_000).toISOString();
  const summary = {
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
  };
  const metricResults = options.metrics.map(m => {
    const measurementPhase = m.phase === 'Running' ? 'Successful' : m.phase;
    const counts = {
      count: m.values.length,
      successful: measurementPhase === 'Successful' ? m.values.length : 0,
      failed: measurementPhase === 'Failed' ? m.values.length : 0,
      inconclusive: measurementPhase === 'Inconclusive' ? m.values.length : 0,
      error: measurementPhase === 'Error' ? m.values.length : 0,
    };
    summary.count += 1;
    if (m.phase === 'Successful') summary.successful += 1;
    if (m.phase === 'Failed') summary.failed += 1;
    if (m.phase === 'Inconclusive') summary.inconclusive += 1;
    if (m.phase === 'Error') summary.error += 1;
    return {
      name: m.name,
      phase: m.phase,
      ...(m.message ? { message: m.message } : {}),
      measurements: m.values.map((value, i) => ({
        phase: measurementPhase,
        value,
        startedAt: at(i),
        finishedAt: at(i),
      })),
      ...counts,
    };
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: options.name,
      namespace: `inference-${env}`,
      labels: { 'rollouts-pod-template-hash': options.podTemplateHash },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'inference',
          controller: true,
          blockOwnerDeletion: true,
          uid: 'r-1',
        },
      ],
    },
    spec: {
      args: [{ name: 'preview-hash', value: options.podTemplateHash }],
      metrics: options.metrics.map(m => ({
        name: m.name,
        count: m.values.length,
        provider: { prometheus: { address: 'http://prometheus', query: 'q' } },
      })),
    },
    status: {
      phase: options.phase,
      ...(options.message ? { message: options.message } : {}),
      startedAt: at(0),
      metricResults,
      runSummary: summary,
    },
  };
}
