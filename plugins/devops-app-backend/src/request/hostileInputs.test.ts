import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import path from 'node:path';
import {
  createGitRemote,
  GitRemote,
} from '../deployments/__testUtils__/gitRemote';
import {
  SERVICE_REF,
  serviceEntity,
} from '../observability/__testUtils__/serviceEntity';
import { HOSTILE_VALUES } from './__testUtils__/hostileValues';
import { INFRA_DIR, tempDirs } from '../terraform/__testUtils__/sandbox';
import { STANDARD_ENVIRONMENTS } from '../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';

/**
 * A corpus of hostile values through every route that takes input, on the whole plugin
 * (`startTestBackend`, the backend's own error middleware): each answers 400 naming the field, never
 * 500, with no stack trace or upstream address in the body, and writes nothing (no audit entry, no
 * terraform run, no production request, no git commit).
 */

// Real git for the GitOps remote; a busy machine can take seconds per process.
jest.setTimeout(120_000);

/** Upstreams the 400s must never name: nothing listens there. */
const PROMETHEUS_URL = 'http://127.0.0.1:9';
const ARGOCD_URL = 'http://127.0.0.1:10';

interface Route {
  method: 'get' | 'post';
  path: string;
  /** A request the request layer accepts; each case changes one field of it. */
  valid: Record<string, string>;
  /** The fields that take a value; each gets every hostile value. */
  fields: string[];
  /**
   * Free-text fields: the hostile values (by name) that are valid values of the field, as `x` is a
   * fine tag. A comment may hold a path, a colon or a line break; a selector may be long or numeric.
   */
  accepts?: Record<string, string[]>;
}

const target = { entityRef: SERVICE_REF, environment: 'dev' };
const prod = { entityRef: SERVICE_REF, environment: 'prod' };
/** Hostile to names and references, plain words in a comment. */
const FREE_TEXT = [
  '301 characters',
  'a newline',
  'component:',
  ':x/y',
  'a/b/c',
  '../../etc',
];
/** Approve and reject of a plan or a production request: a comment that may be any text. */
const decisions = (base: string) =>
  ['approve', 'reject'].map(
    (decision): Route => ({
      method: 'post',
      path: `${base}/${decision}`,
      valid: { comment: 'looks right' },
      fields: ['comment'],
      accepts: { comment: FREE_TEXT },
    }),
  );
const ROUTES: Route[] = [
  { method: 'get', path: '/health', valid: {}, fields: [] },
  {
    method: 'get',
    path: '/environments',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  {
    method: 'get',
    path: '/observability/metrics',
    valid: { ...target, panel: 'request_rate', range: '1h' },
    fields: ['entityRef', 'environment'],
  },
  ...['logs', 'traces', 'monitors'].map(
    (name): Route => ({
      method: 'get',
      path: `/observability/${name}`,
      valid: target,
      fields: ['entityRef', 'environment'],
    }),
  ),
  {
    method: 'get',
    path: '/audit',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef', 'environment'],
  },
  {
    method: 'get',
    path: '/deployments/status',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  ...['/deployments', '/deployments/preview'].map(
    (p): Route => ({
      method: 'post',
      path: p,
      valid: { ...target, tag: '1.2.3' },
      fields: ['entityRef', 'environment', 'tag'],
    }),
  ),
  ...['sync', 'promote', 'abort'].map(
    (action): Route => ({
      method: 'post',
      path: `/deployments/${action}`,
      valid: target,
      fields: ['entityRef', 'environment'],
    }),
  ),
  {
    method: 'post',
    path: '/terraform/runs',
    valid: { environment: 'dev', mode: 'plan', taskId: 'task-1' },
    fields: ['environment', 'mode', 'taskId'],
  },
  {
    method: 'get',
    path: '/terraform/runs',
    valid: { environment: 'dev' },
    fields: ['environment'],
  },
  { method: 'get', path: '/terraform/runs/nope', valid: {}, fields: [] },
  {
    method: 'get',
    path: '/terraform/runs/nope/log',
    valid: { after: '1' },
    fields: ['after'],
  },
  {
    method: 'post',
    path: '/terraform/runs/nope/cancel',
    valid: {},
    fields: [],
  },
  ...decisions('/terraform/runs/nope'),
  {
    method: 'get',
    path: '/terraform/runs/nope/plans/cluster',
    valid: {},
    fields: [],
  },
  {
    method: 'get',
    path: '/terraform/drift',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  {
    method: 'post',
    path: '/terraform/drift/checks',
    valid: { environment: 'dev' },
    fields: ['environment'],
  },
  {
    method: 'post',
    path: '/terraform/environments/dev/remove',
    valid: { confirm: 'dev' },
    fields: ['confirm'],
  },
  {
    method: 'post',
    path: '/terraform/environments/dev/extend',
    valid: { duration: '1d' },
    fields: ['duration'],
  },
  {
    method: 'get',
    path: '/deployments/versions',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  {
    method: 'get',
    path: '/deployments/pipeline',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  {
    method: 'post',
    path: '/deployments/promotions',
    valid: { ...target, version: '1.2.3' },
    fields: ['entityRef', 'environment', 'version'],
  },
  {
    method: 'get',
    path: '/deployments/dora',
    valid: { ...target, days: '30' },
    fields: ['entityRef', 'environment', 'days'],
  },
  {
    method: 'get',
    path: '/deployments/rollback',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  {
    method: 'post',
    path: '/deployments/rollback',
    valid: target,
    fields: ['entityRef', 'environment'],
  },
  {
    method: 'post',
    path: '/deployments/promotions/requests',
    valid: { ...prod, version: '1.2.3', comment: 'verified in pre-prod' },
    fields: ['entityRef', 'environment', 'version', 'comment'],
    accepts: { comment: FREE_TEXT },
  },
  {
    method: 'get',
    path: '/deployments/promotions/requests',
    valid: { entityRef: SERVICE_REF },
    fields: ['entityRef'],
  },
  ...decisions('/deployments/promotions/requests/1'),
  {
    method: 'post',
    path: '/deployments/break-glass',
    valid: {
      ...prod,
      version: '1.2.3',
      reason: 'the outage cannot wait for a second pair of eyes',
    },
    fields: ['entityRef', 'environment', 'version', 'reason'],
    // A reason is 20 characters at least: only the long and the multi-line values are reasons.
    accepts: { reason: ['301 characters', 'a newline'] },
  },
  {
    method: 'get',
    path: '/argocd/api/applications',
    valid: { selector: 'devops-app.io/service=inference-service' },
    fields: ['selector'],
    accepts: {
      selector: [...FREE_TEXT.filter(v => v !== 'a newline'), 'a number'],
    },
  },
];

/** `valid` with `field` set to `value`, as a query string (objects and arrays in qs's notation). */
function queryString(
  valid: Record<string, string>,
  field?: string,
  value?: unknown,
) {
  const params = new URLSearchParams(valid);
  if (field !== undefined) {
    params.delete(field);
    if (Array.isArray(value)) {
      for (const v of value) params.append(field, String(v));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value))
        params.append(`${field}[${k}]`, String(v));
    } else {
      params.append(field, String(value));
    }
  }
  return params.toString();
}

interface Case {
  route: string;
  method: Route['method'];
  path: string;
  /** The raw query string or JSON body: raw so that a `__proto__` key reaches the server as sent. */
  query?: string;
  body?: string;
  /** How the message must start. */
  message: RegExp;
}

const POLLUTION = '"__proto__":{"polluted":"yes"}';

const CASES: Case[] = ROUTES.flatMap(route => {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  const at = { method: route.method, path: route.path };
  const validQuery = queryString(route.valid);
  const validBody = JSON.stringify(route.valid);
  const fieldCases = route.fields.flatMap(field =>
    HOSTILE_VALUES.filter(
      ([what, , only]) =>
        (!only || only.includes(field)) &&
        !route.accepts?.[field]?.includes(what),
    ).map(([what, value]): Case => {
      const hostile = value(route.valid[field]);
      return {
        route: `${name} ${field}: ${what}`,
        ...at,
        ...(route.method === 'get'
          ? { query: queryString(route.valid, field, hostile) }
          : { body: JSON.stringify({ ...route.valid, [field]: hostile }) }),
        message: new RegExp(`^${field}: `),
      };
    }),
  );
  const and = validQuery ? `${validQuery}&` : '';
  return [
    ...fieldCases,
    {
      route: `${name} a __proto__ key`,
      ...at,
      ...(route.method === 'get'
        ? { query: `${and}__proto__[polluted]=yes` }
        : {
            body:
              validBody === '{}'
                ? `{${POLLUTION}}`
                : validBody.replace(/}$/, `,${POLLUTION}}`),
          }),
      message: /^unknown field\(s\): __proto__ \(allowed: /,
    },
    {
      route: `${name} an unknown extra field`,
      ...at,
      ...(route.method === 'get'
        ? { query: `${and}extra=1` }
        : { body: JSON.stringify({ ...route.valid, extra: '1' }) }),
      message: /^unknown field\(s\): extra \(allowed: /,
    },
  ];
});

describe('hostile inputs', () => {
  let remote: GitRemote;
  let dirs: Awaited<ReturnType<typeof tempDirs>>;
  let db: Knex;
  let backend: PluginBackend;

  beforeAll(async () => {
    remote = await createGitRemote();
    dirs = await tempDirs();
    db = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    backend = await startPluginBackend({
      entities: [
        serviceEntity({
          'devops-app.io/environments': 'dev,pre-prod,prod',
          'devops-app.io/prometheus-selector': 'service="inference-service"',
          'argocd/app-selector': 'devops-app.io/service=inference-service',
        }),
        ...STANDARD_ENVIRONMENTS,
      ],
      features: [mockServices.database.factory({ knex: db })],
      config: {
        devopsApp: {
          gitops: { repository: remote.remote, branch: 'main' },
          argocd: {
            instances: [
              { name: 'main', baseUrl: ARGOCD_URL, token: 'argo-token' },
            ],
          },
          prometheus: { baseUrl: PROMETHEUS_URL, timeoutMs: 500 },
          terraform: {
            target: 'sandbox',
            infraDir: INFRA_DIR,
            stacksDir: path.join(INFRA_DIR, 'sandbox'),
            stateDir: path.join(dirs.root, 'state'),
            workDir: path.join(dirs.root, 'runs'),
          },
        },
      },
    });
  });
  afterAll(async () => {
    await remote?.cleanup();
    await dirs?.cleanup();
  });

  const send = (c: Pick<Case, 'method' | 'path' | 'query' | 'body'>) => {
    const req = backend.request(
      c.method,
      `${c.path}${c.query ? `?${c.query}` : ''}`,
    );
    return c.body === undefined
      ? req
      : req.set('Content-Type', 'application/json').send(c.body);
  };

  it('covers every route that takes input', () => {
    // 58 fields of 37 routes × 12 values, `x` in the 22 entityRefs, less the 38 free-text values a
    // comment, reason or selector accepts, and a __proto__ key and an unknown field on each route.
    expect(ROUTES).toHaveLength(37);
    const fields = ROUTES.flatMap(r => r.fields);
    expect(fields).toHaveLength(58);
    expect(fields.filter(f => f === 'entityRef')).toHaveLength(22);
    expect(CASES).toHaveLength(58 * 12 + 22 - 38 + 37 * 2);
    expect(CASES).toHaveLength(754);
  });

  it.each(CASES)('$route', async c => {
    const res = await send(c);
    expect({ status: res.status, name: res.body.error?.name }).toEqual({
      status: 400,
      name: 'InputError',
    });
    expect(res.body.error.message).toMatch(c.message);
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/ {4}at /);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('http://');
    expect(text).not.toContain('argo-token');
    // A __proto__ key reached no object's prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await db('devops_app_deployment_audit').count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
    expect(await db('devops_app_terraform_runs').count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
    expect(
      await db('devops_app_production_requests').count({ n: '*' }),
    ).toEqual([{ n: 0 }]);
  });

  it('wrote nothing: no commit on the GitOps remote, no audit entry, no run', async () => {
    expect(await remote.count()).toBe(1);
    expect(await db('devops_app_deployment_audit').select()).toEqual([]);
    expect(await db('devops_app_terraform_runs').select()).toEqual([]);
    expect(await db('devops_app_production_requests').select()).toEqual([]);
  });

  it('answers the valid request of every route past the request layer (the 400s above are the values)', async () => {
    const answers: Record<string, number> = {};
    const refusals: string[] = [];
    for (const route of ROUTES) {
      const res = await send({
        ...route,
        ...(route.method === 'get'
          ? { query: queryString(route.valid) }
          : // The valid terraform request names an environment without files, so no terraform runs.
            {
              body: JSON.stringify(
                route.path === '/terraform/runs'
                  ? { ...route.valid, environment: 'nowhere' }
                  : route.valid,
              ),
            }),
      });
      answers[`${route.method.toUpperCase()} ${route.path}`] = res.status;
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/ {4}at /);
      if (res.status === 400) refusals.push(res.body.error.message);
    }
    // The 400s past the request layer: the run service refusing an environment without files (a run,
    // and the destroy of dev, which this catalog does not protect), an extension of an environment not
    // created from the portal, a promotion into the first stage.
    expect(refusals).toEqual([
      expect.stringMatching(/^environment: "nowhere" has no files/),
      expect.stringMatching(
        /^environment: "dev" has no files in infra\/environments/,
      ),
      expect.stringMatching(
        /^catalog\/environments\/dev.yaml is not in the GitOps repository/,
      ),
      expect.stringMatching(/^environment dev is the first stage/),
    ]);
    expect(answers).toEqual({
      'GET /health': 200,
      'GET /environments': 200,
      'GET /observability/metrics': 503,
      'GET /observability/logs': 200,
      'GET /observability/traces': 200,
      'GET /observability/monitors': 200,
      'GET /audit': 200,
      'GET /deployments/status': 200,
      'POST /deployments': 201,
      'POST /deployments/preview': 200,
      'POST /deployments/sync': 503,
      'POST /deployments/promote': 503,
      'POST /deployments/abort': 503,
      'POST /terraform/runs': 400,
      'GET /terraform/runs': 200,
      'GET /terraform/runs/nope': 404,
      'GET /terraform/runs/nope/log': 404,
      'POST /terraform/runs/nope/cancel': 404,
      'POST /terraform/runs/nope/approve': 404,
      'POST /terraform/runs/nope/reject': 404,
      'GET /terraform/runs/nope/plans/cluster': 404,
      'GET /terraform/drift': 200,
      'POST /terraform/drift/checks': 202,
      'POST /terraform/environments/dev/remove': 400,
      'POST /terraform/environments/dev/extend': 400,
      'GET /deployments/versions': 200,
      'GET /deployments/pipeline': 200,
      'POST /deployments/promotions': 400,
      'GET /deployments/dora': 200,
      'GET /deployments/rollback': 200,
      // Nothing was deployed to dev before: no version to go back to.
      'POST /deployments/rollback': 409,
      // 1.2.3 has not been verified in pre-prod, so prod cannot be requested.
      'POST /deployments/promotions/requests': 409,
      'GET /deployments/promotions/requests': 200,
      'POST /deployments/promotions/requests/1/approve': 404,
      'POST /deployments/promotions/requests/1/reject': 404,
      // Break glass skips the gates (its reason is audited).
      'POST /deployments/break-glass': 201,
      'GET /argocd/api/applications': 503,
    });
  });
});
