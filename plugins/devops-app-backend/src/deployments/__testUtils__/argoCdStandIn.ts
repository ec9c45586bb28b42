import http from 'node:http';
import { AddressInfo } from 'node:net';

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
 *   GET  /api/v1/applications/{name}/resource?namespace&resourceName&version&group&kind
 *                                                  -> applicationApplicationResourceResponse {manifest}
 *   POST /api/v1/applications/{name}/resource/actions/v2
 *        body applicationResourceActionRunRequestV2 {name, namespace, resourceName, version, group, kind,
 *        action, appNamespace?, project?, resourceActionParameters?: [{name, value}]}
 *                                                  -> applicationApplicationResponse {}
 *        (Argo CD 3.x; with `resourceActionsV2: false` the stand-in is an older Argo CD without this
 *        route, which answers it like any unknown route: 404 {code 5, "Not Found"})
 *   POST /api/v1/applications/{name}/resource/actions?namespace&resourceName&version&group&kind
 *        body: the action name as a JSON string    -> {} (deprecated in 3.x, still served)
 * Errors are runtimeError bodies {error, code, message} with the gRPC code's HTTP status: 401
 * (Unauthenticated, 16), 403 (PermissionDenied, 7), 404 (NotFound, 5), 400 (FailedPrecondition, 9, e.g.
 * "another operation is already in progress"). Actions for argoproj.io/Rollout follow Argo CD's built-in
 * Lua actions: promote-full sets status.promoteFull, abort sets status.abort.
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

export async function startArgoCdStandIn(
  token: string,
  apps: StandInApp[],
  options: StandInOptions = {},
) {
  const resourceActionsV2 = options.resourceActionsV2 ?? true;
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const byName = new Map(apps.map(a => [a.application.metadata.name, a]));

  function error(
    res: http.ServerResponse,
    status: number,
    code: number,
    message: string,
  ) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: message, code, message }));
  }
  function json(res: http.ServerResponse, body: unknown) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  function matches(
    labels: Record<string, string> = {},
    selector: string | null,
  ) {
    if (!selector) return true;
    return selector.split(',').every(term => {
      const [k, v] = term.split('=');
      return labels[k] === v;
    });
  }

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
      error(
        res,
        403,
        7,
        'permission denied: applications, action/argoproj.io/Rollout',
      );
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
      error(res, 404, 5, 'resource not found');
      return;
    }
    if (target.action === 'promote-full') {
      r.status.promoteFull = true;
    } else if (target.action === 'abort') {
      r.status.abort = true;
    } else {
      error(res, 400, 3, `action not found: ${String(target.action)}`);
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
      if (req.headers.authorization !== `Bearer ${token}`) {
        error(res, 401, 16, 'invalid session: token signature is invalid');
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/v1/applications') {
        const selector = url.searchParams.get('selector');
        json(res, {
          metadata: {},
          items: apps
            .filter(
              a =>
                !a.forbidden &&
                matches(a.application.metadata.labels, selector),
            )
            .map(a => a.application),
        });
        return;
      }
      const m = /^\/api\/v1\/applications\/([^/]+)(\/.*)?$/.exec(url.pathname);
      const app = m ? byName.get(decodeURIComponent(m[1])) : undefined;
      if (!m || !app) {
        error(res, 404, 5, `applications.argoproj.io "${m?.[1]}" not found`);
        return;
      }
      if (app.forbidden) {
        error(res, 403, 7, 'permission denied');
        return;
      }
      const sub = m[2] ?? '';
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
          error(res, 404, 5, `unable to resolve revision ${revision}`);
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
            ]
          : [];
        json(res, { nodes });
      } else if (req.method === 'GET' && sub === '/resource') {
        const r = app.rollout;
        const q = url.searchParams;
        if (
          !r ||
          q.get('kind') !== 'Rollout' ||
          q.get('resourceName') !== r.metadata.name ||
          q.get('namespace') !== r.metadata.namespace
        ) {
          error(res, 404, 5, 'resource not found');
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
      } else if (
        resourceActionsV2 &&
        req.method === 'POST' &&
        sub === '/resource/actions/v2'
      ) {
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
          b.project !== undefined &&
          b.project !== app.application.spec?.project
        ) {
          error(res, 403, 7, 'permission denied');
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
      } else {
        error(res, 404, 5, 'Not Found');
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** An Application as charts/argocd-apps renders it, with a status. */
export function application(
  env: string,
  options: { automated: boolean; images?: string[] },
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
      syncPolicy: options.automated
        ? { automated: { prune: true, selfHeal: true } }
        : { syncOptions: ['CreateNamespace=true'] },
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
