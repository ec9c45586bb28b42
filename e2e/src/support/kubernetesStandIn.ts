import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer,
  IncomingMessage,
  request as httpRequest,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import {
  createServer as createHttpsServer,
  request as httpsRequest,
  Server as HttpsServer,
} from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { guestToken, repoRoot } from './portal';

/**
 * A stand-in Kubernetes API server on 127.0.0.1 for the Kubernetes tab's e2e test. It answers the
 * read-only part of the API the way the Kubernetes API documents it, so Backstage's kubernetes backend
 * talks to it exactly as it talks to AKS:
 *
 * - HTTPS with its own self-signed certificate (`tls: true`; `caData` is what the cluster entity's
 *   `kubernetes.io/api-server-certificate-authority` carries), or plain HTTP;
 * - every request needs `Authorization: Bearer <token>`, otherwise 401 with a Status object (with
 *   `startAksStandIn` the token is the one the Entra ID stand-in below issues for AKS);
 * - discovery: `/api`, `/api/v1`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`;
 * - list (all namespaces or one) and get of the resource types below, e.g. `/api/v1/pods`,
 *   `/apis/argoproj.io/v1alpha1/namespaces/<ns>/rollouts/<name>`; a list is a `<Kind>List` with
 *   `apiVersion`, `metadata.resourceVersion` and `items` (built-in items without kind/apiVersion, custom
 *   resources with them, as the API server serialises them);
 * - `labelSelector` with the documented grammar (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
 *   `k`, `!k`, comma meaning AND); a selector it cannot parse is a 400 BadRequest Status;
 * - an unknown path is a 404 NotFound Status; an unknown object is a 404 naming it; verbs other than
 *   GET are 405 MethodNotAllowed (the portal only reads).
 *
 * Every request is recorded (path, labelSelector, status) so a test can see what the backend asked.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  labelSelector?: string;
  /** Whether the request carried the expected bearer token. */
  authorized: boolean;
  status: number;
}

export interface KubernetesStandIn {
  /** https://127.0.0.1:<port> (or http:), the cluster entity's `kubernetes.io/api-server`. */
  url: string;
  /**
   * The base64 PEM of the server's self-signed certificate, the cluster entity's
   * `kubernetes.io/api-server-certificate-authority`; over plain HTTP a placeholder the backend never
   * reads (the catalog locator only lists clusters that have the annotation).
   */
  caData: string;
  requests: RecordedRequest[];
  /** A GET as any client would send it (trusting `caData`), with the bearer token if given. */
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** CRDs and aggregated APIs serialise kind/apiVersion on every list item; built-in types do not. */
  itemsCarryType: boolean;
}

const builtIn = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced = true,
) => ({
  group,
  version,
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  itemsCarryType: false,
});

/** The types Backstage's kubernetes backend reads (its default object types, the opt-in ones, pod metrics) and Argo's CRDs. */
export const RESOURCE_TYPES: ResourceType[] = [
  builtIn('', 'v1', 'namespaces', 'Namespace', false),
  builtIn('', 'v1', 'pods', 'Pod'),
  builtIn('', 'v1', 'services', 'Service'),
  builtIn('', 'v1', 'configmaps', 'ConfigMap'),
  builtIn('', 'v1', 'secrets', 'Secret'),
  builtIn('', 'v1', 'limitranges', 'LimitRange'),
  builtIn('', 'v1', 'resourcequotas', 'ResourceQuota'),
  builtIn('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  builtIn('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  builtIn('apps', 'v1', 'deployments', 'Deployment'),
  builtIn('apps', 'v1', 'replicasets', 'ReplicaSet'),
  builtIn('apps', 'v1', 'statefulsets', 'StatefulSet'),
  builtIn('apps', 'v1', 'daemonsets', 'DaemonSet'),
  builtIn(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
  ),
  builtIn('batch', 'v1', 'jobs', 'Job'),
  builtIn('batch', 'v1', 'cronjobs', 'CronJob'),
  builtIn('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  builtIn('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics'),
  {
    ...builtIn('argoproj.io', 'v1alpha1', 'rollouts', 'Rollout'),
    itemsCarryType: true,
  },
  {
    ...builtIn('argoproj.io', 'v1alpha1', 'analysisruns', 'AnalysisRun'),
    itemsCarryType: true,
  },
  {
    ...builtIn(
      'argoproj.io',
      'v1alpha1',
      'analysistemplates',
      'AnalysisTemplate',
    ),
    itemsCarryType: true,
  },
];

const groupVersion = (t: { group: string; version: string }) =>
  t.group ? `${t.group}/${t.version}` : t.version;

// Label selectors: the parser is shared with the Argo CD stand-in (Argo CD parses `selector` with the
// same Kubernetes grammar), so both answer alike.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, no-restricted-imports
import {
  matchesSelector,
  parseLabelSelector,
  Requirement,
  SelectorError,
} from '../../../plugins/devops-app-backend/src/__testUtils__/labelSelector';

export { matchesSelector, parseLabelSelector, SelectorError };

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

function status(
  code: number,
  reason: string,
  message: string,
  details: Record<string, unknown> = {},
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

function typeOf(obj: KubeObject): ResourceType {
  const [group, version] = obj.apiVersion.includes('/')
    ? obj.apiVersion.split('/')
    : ['', obj.apiVersion];
  const type = RESOURCE_TYPES.find(
    t => t.group === group && t.version === version && t.kind === obj.kind,
  );
  if (!type)
    throw new Error(
      `stand-in fixture: no resource type serves ${obj.apiVersion} ${obj.kind}`,
    );
  return type;
}

const execFileAsync = promisify(execFile);

/** A key and a self-signed certificate for 127.0.0.1 and localhost, valid for a day (openssl). */
async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubernetes-stand-in-'));
  try {
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=kubernetes-stand-in',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    return {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Listens on a free port of 127.0.0.1; `stop` also ends open keep-alive connections. */
async function listenOnLoopback(server: Server | HttpsServer) {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>(resolveStop => {
        server.closeAllConnections();
        server.close(() => resolveStop());
      }),
  };
}

export async function startKubernetesStandIn(options: {
  /** The only bearer token it accepts. */
  token: string;
  objects: KubeObject[];
  /** HTTPS with a self-signed certificate (default false: plain HTTP). */
  tls?: boolean;
}): Promise<KubernetesStandIn> {
  if (!options.token)
    throw new Error('startKubernetesStandIn: token must not be empty');
  let resourceVersion = 1000;
  const store = options.objects.map(obj => {
    const type = typeOf(obj);
    if (type.namespaced !== Boolean(obj.metadata.namespace)) {
      throw new Error(
        `stand-in fixture: ${obj.kind} ${obj.metadata.name} namespace does not fit its scope`,
      );
    }
    resourceVersion += 1;
    return {
      type,
      obj: {
        ...obj,
        metadata: {
          uid: randomUUID(),
          ...obj.metadata,
          resourceVersion: String(resourceVersion),
        },
      } as KubeObject,
    };
  });
  const requests: RecordedRequest[] = [];

  const discoveryResources = (group: string, version: string) =>
    RESOURCE_TYPES.filter(t => t.group === group && t.version === version).map(
      t => ({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'list'],
      }),
    );
  const groups = () => {
    const names = [
      ...new Set(RESOURCE_TYPES.filter(t => t.group).map(t => t.group)),
    ];
    return names.map(name => {
      const versions = [
        ...new Set(
          RESOURCE_TYPES.filter(t => t.group === name).map(t => t.version),
        ),
      ].map(version => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions, preferredVersion: versions[0] };
    });
  };

  const route = (url: URL): { code: number; body: unknown } => {
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const notFound = {
      code: 404,
      body: status(
        404,
        'NotFound',
        'the server could not find the requested resource',
      ),
    };

    // Discovery.
    if (segments.length === 1 && segments[0] === 'api') {
      return {
        code: 200,
        body: {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [],
        },
      };
    }
    if (segments.length === 1 && segments[0] === 'apis') {
      return {
        code: 200,
        body: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() },
      };
    }
    if (segments.length === 2 && segments[0] === 'apis') {
      const group = groups().find(g => g.name === segments[1]);
      return group
        ? { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...group } }
        : notFound;
    }
    let group: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 2) {
      group = '';
      rest = segments.slice(1);
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      group = segments[1];
      rest = segments.slice(2);
    } else {
      return notFound;
    }
    const [version, ...path] = rest;
    if (path.length === 0) {
      const resources = discoveryResources(group, version);
      return resources.length
        ? {
            code: 200,
            body: {
              kind: 'APIResourceList',
              apiVersion: 'v1',
              groupVersion: groupVersion({ group, version }),
              resources,
            },
          }
        : notFound;
    }

    // /namespaces/<ns>/<plural>[/<name>] or /<plural>[/<name>]; /namespaces[/<name>] itself is a resource.
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (path[0] === 'namespaces' && path.length >= 3) {
      [, namespace, plural, name] = path;
      if (path.length > 4) return notFound;
    } else {
      [plural, name] = path;
      if (path.length > 2) return notFound;
    }
    const type = RESOURCE_TYPES.find(
      t => t.group === group && t.version === version && t.plural === plural,
    );
    if (!type || (namespace && !type.namespaced)) return notFound;

    const inScope = store.filter(
      s =>
        s.type === type &&
        (namespace === undefined || s.obj.metadata.namespace === namespace),
    );
    if (name !== undefined) {
      const found = inScope.find(s => s.obj.metadata.name === name);
      if (!found) {
        const resource = group ? `${plural}.${group}` : plural;
        return {
          code: 404,
          body: status(404, 'NotFound', `${resource} "${name}" not found`, {
            name,
            group,
            kind: plural,
          }),
        };
      }
      return { code: 200, body: found.obj };
    }

    for (const param of url.searchParams.keys()) {
      if (
        ![
          'labelSelector',
          'limit',
          'resourceVersion',
          'timeoutSeconds',
        ].includes(param)
      ) {
        // Field selectors, watches and continue tokens are not served: say so instead of ignoring them.
        return {
          code: 400,
          body: status(
            400,
            'BadRequest',
            `the stand-in does not serve the "${param}" parameter`,
          ),
        };
      }
    }
    let requirements: Requirement[] = [];
    const labelSelector = url.searchParams.get('labelSelector');
    if (labelSelector) {
      try {
        requirements = parseLabelSelector(labelSelector);
      } catch (e) {
        if (e instanceof SelectorError)
          return { code: 400, body: status(400, 'BadRequest', e.message) };
        throw e;
      }
    }
    const items = inScope
      .filter(s => matchesSelector(s.obj.metadata.labels, requirements))
      .map(s => {
        if (type.itemsCarryType) return s.obj;
        const { apiVersion: _a, kind: _k, ...item } = s.obj;
        return item;
      });
    return {
      code: 200,
      body: {
        kind: `${type.kind}List`,
        apiVersion: groupVersion(type),
        metadata: { resourceVersion: String(resourceVersion) },
        items,
      },
    };
  };

  const handler: RequestListener = (
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === `Bearer ${options.token}`;
    let answer: { code: number; body: unknown };
    if (!authorized) {
      answer = { code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    } else if (req.method !== 'GET') {
      answer = {
        code: 405,
        body: status(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        ),
      };
    } else {
      try {
        answer = route(url);
      } catch (e) {
        answer = { code: 500, body: status(500, 'InternalError', String(e)) };
      }
    }
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(url.searchParams.has('labelSelector') && {
        labelSelector: url.searchParams.get('labelSelector')!,
      }),
      authorized,
      status: answer.code,
    });
    req.resume();
    res.writeHead(answer.code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  const certificate = options.tls ? await selfSignedCertificate() : undefined;
  const server = certificate
    ? createHttpsServer(certificate, handler)
    : createServer(handler);
  const { port, stop } = await listenOnLoopback(server);
  const url = `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`;
  const get = (path: string, token?: string) =>
    new Promise<{ status: number; body: any }>((resolveGet, reject) => {
      const send = certificate ? httpsRequest : httpRequest;
      const req = send(
        `${url}${path}`,
        {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          ...(certificate && { ca: certificate.cert }),
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', chunk => {
            text += chunk;
          });
          res.on('end', () =>
            resolveGet({ status: res.statusCode ?? 0, body: JSON.parse(text) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  return {
    url,
    caData: Buffer.from(
      certificate?.cert ??
        '-----BEGIN CERTIFICATE-----\nplain HTTP: no certificate\n-----END CERTIFICATE-----\n',
    ).toString('base64'),
    requests,
    get,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Entra ID for the backend's `azure` auth provider, and the cluster as the catalog names it
// ---------------------------------------------------------------------------------------------

/**
 * The application id of "Azure Kubernetes Service AAD Server": the resource an Entra ID token for an
 * AKS API server is issued for (the kubernetes backend's AzureIdentityStrategy asks for
 * `<this>/.default`).
 */
export const AKS_ENTRA_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

export interface RecordedTokenRequest {
  resource?: string;
  /** Whether the request carried the endpoint's secret header (X-IDENTITY-HEADER). */
  authorized: boolean;
  status: number;
}

export interface EntraIdStandIn {
  /** The access token it issues for AKS. */
  token: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER, plus AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential. */
  env: Record<string, string>;
  requests: RecordedTokenRequest[];
  stop(): Promise<void>;
}

/**
 * A stand-in for the managed identity endpoint Azure runs next to an application (the App Service
 * protocol: `GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<app id>` with the header
 * `X-IDENTITY-HEADER: $IDENTITY_HEADER`, answered with `access_token` and `expires_on`). With its `env` the
 * backend's DefaultAzureCredential (only its ManagedIdentityCredential, through AZURE_TOKEN_CREDENTIALS)
 * obtains the AKS token here, so `kubernetes.io/auth-provider: azure`, the production setting, runs
 * unchanged. It issues a token for AKS only; anything else is refused as Entra ID would.
 */
export async function startEntraIdStandIn(): Promise<EntraIdStandIn> {
  const token = randomBytes(24).toString('base64url');
  const secret = randomBytes(16).toString('hex');
  const requests: RecordedTokenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const resource = url.searchParams.get('resource') ?? undefined;
    const authorized = req.headers['x-identity-header'] === secret;
    let code = 200;
    let body: Record<string, unknown>;
    if (req.method !== 'GET' || url.pathname !== '/msi/token') {
      code = 404;
      body = { error: 'not_found' };
    } else if (!authorized) {
      code = 401;
      body = { error: 'unauthorized', error_description: 'X-IDENTITY-HEADER' };
    } else if (url.searchParams.get('api-version') !== '2019-08-01') {
      code = 400;
      body = { error: 'invalid_request', error_description: 'api-version' };
    } else if (resource !== AKS_ENTRA_SERVER_APP_ID) {
      code = 400;
      body = {
        error: 'invalid_resource',
        error_description: `AADSTS500011: resource ${resource} not found`,
      };
    } else {
      body = {
        access_token: token,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource,
        token_type: 'Bearer',
        client_id: '00000000-0000-0000-0000-00000000e2e0',
      };
    }
    requests.push({ resource, authorized, status: code });
    req.resume();
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const { port, stop } = await listenOnLoopback(server);
  return {
    token,
    env: {
      IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`,
      IDENTITY_HEADER: secret,
      AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential',
    },
    requests,
    stop,
  };
}

/** A `kubernetes-cluster` Resource as the kubernetes backend's catalog cluster locator reads it. */
export interface ClusterEntity {
  apiVersion: 'backstage.io/v1alpha1';
  kind: 'Resource';
  metadata: {
    name: string;
    title?: string;
    annotations: Record<string, string>;
  };
  spec: { type: 'kubernetes-cluster'; owner: string; system: string };
}

export interface AksStandIn {
  apiServer: KubernetesStandIn;
  entraId: EntraIdStandIn;
  /** For startPortal's `env`: the backend's `azure` auth provider gets its token from `entraId`. */
  portalEnv: Record<string, string>;
  /** The cluster's catalog entity: api-server, CA and `azure` auth provider of this stand-in. */
  clusterEntity(name: string, title?: string): ClusterEntity;
  stop(): Promise<void>;
}

/**
 * An AKS cluster as the portal reaches it in production: the API server stand-in accepts only the
 * token the Entra ID stand-in issues for AKS, so the request must go through the kubernetes backend's
 * `azure` auth provider. TLS by default, so the entity's CA annotation is what the backend trusts; a
 * test whose cluster entity gets its CA from somewhere else (e.g. the sandbox's placeholder output)
 * passes `tls: false`.
 */
export async function startAksStandIn(options: {
  objects: KubeObject[];
  tls?: boolean;
}): Promise<AksStandIn> {
  const entraId = await startEntraIdStandIn();
  const apiServer = await startKubernetesStandIn({
    token: entraId.token,
    objects: options.objects,
    tls: options.tls ?? true,
  });
  return {
    apiServer,
    entraId,
    portalEnv: entraId.env,
    clusterEntity: (name, title) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name,
        ...(title && { title }),
        annotations: {
          'kubernetes.io/api-server': apiServer.url,
          'kubernetes.io/api-server-certificate-authority': apiServer.caData,
          'kubernetes.io/auth-provider': 'azure',
        },
      },
      spec: {
        type: 'kubernetes-cluster',
        owner: 'group:default/platform-team',
        system: 'devops-app',
      },
    }),
    stop: async () => {
      await apiServer.stop();
      await entraId.stop();
    },
  };
}

/** The catalog file location the portal registers its local entities in (app-config.yaml). */
const LOCAL_CATALOG_DIR = resolve(repoRoot, '.run/catalog');

/**
 * Registers a cluster entity in a running portal the way the portal registers what it creates locally
 * (devops-app:catalog:register-file): a file in .run/catalog, then a refresh of that location. Resolves
 * once the catalog serves the entity; `unregister` removes the file and the entity.
 */
export async function registerKubernetesCluster(
  baseUrl: string,
  entity: ClusterEntity,
  timeoutMs = 60_000,
): Promise<{ unregister(): Promise<void> }> {
  const headers = {
    Authorization: `Bearer ${await guestToken(baseUrl)}`,
    'Content-Type': 'application/json',
  };
  const file = join(LOCAL_CATALOG_DIR, `${entity.metadata.name}.yaml`);
  await mkdir(LOCAL_CATALOG_DIR, { recursive: true });
  // JSON is YAML; `wx` so an entity of the same name is never overwritten.
  await writeFile(file, `${JSON.stringify(entity, null, 2)}\n`, {
    flag: 'wx',
  });
  // The Location entity the catalog makes of that config location, named as locationSpecToMetadataName
  // (@backstage/plugin-catalog-node) names it. It is not listed while the directory was missing at the
  // catalog's start, but refreshing it reads the directory again.
  const location = `location:default/generated-${createHash('sha1')
    .update(`file:${join(LOCAL_CATALOG_DIR, '*.yaml')}`)
    .digest('hex')}`;
  const refresh = async () => {
    const res = await fetch(`${baseUrl}/api/catalog/refresh`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ entityRef: location }),
    });
    if (!res.ok) {
      await rm(file, { force: true });
      throw new Error(
        `refreshing ${location} (${LOCAL_CATALOG_DIR}/*.yaml in catalog.locations): ${
          res.status
        } ${await res.text()}`,
      );
    }
  };
  const byName = `${baseUrl}/api/catalog/entities/by-name/resource/default/${entity.metadata.name}`;
  const deadline = Date.now() + timeoutMs;
  let uid: string | undefined;
  for (;;) {
    await refresh();
    const res = await fetch(byName, { headers });
    if (res.ok) {
      const found = (await res.json()) as {
        metadata: { uid: string; annotations?: Record<string, string> };
      };
      if (
        found.metadata.annotations?.['kubernetes.io/api-server'] ===
        entity.metadata.annotations['kubernetes.io/api-server']
      ) {
        uid = found.metadata.uid;
        break;
      }
    }
    if (Date.now() > deadline) {
      await rm(file, { force: true });
      throw new Error(
        `the catalog did not serve ${entity.metadata.name} within ${
          timeoutMs / 1000
        }s`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return {
    unregister: async () => {
      await rm(file, { force: true });
      await refresh();
      await fetch(`${baseUrl}/api/catalog/entities/by-uid/${uid}`, {
        method: 'DELETE',
        headers,
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The cluster the test reads: inference-service in production, mid blue/green rollout
// ---------------------------------------------------------------------------------------------

/** What the fixture holds, for assertions. */
export const INFERENCE = {
  namespace: 'inference-prod',
  rollout: 'inference',
  revision: '4',
  /** The new revision's pod-template hash: the preview, waiting for promotion. */
  previewHash: '6d8f7c9b5',
  /** The active revision's hash (stableRS). */
  activeHash: '5b7d9c8f4',
  oldHash: '7c4b8d6f9',
  /** Pod names are `inference-<hash>-<suffix>`. */
  podSuffixes: ['x7k2p', 'q9m4d', 'h2w8t'],
  pauseStartTime: '2026-11-25T09:12:31Z',
  hpa: { min: 3, max: 12 },
  /** Another service's Rollout in the same cluster; the Kubernetes tab must not show it. */
  otherRollout: 'payments-api',
};

/**
 * inference-service as charts/inference renders it for prod (values.yaml + values-prod.yaml, release
 * `inference`) and as the Argo Rollouts controller then runs it: revision 4 (0.4.0, green) is up as the
 * preview and passed its pre-promotion analysis; autoPromotionEnabled is false in prod, so the Rollout is
 * Paused (BlueGreenPause) waiting for a person to promote it; revision 3 (0.3.2, blue) takes the traffic.
 * Plus one object of another service (payments-api) labelled with its own kubernetes-id.
 */
export function inferenceServiceCluster(): KubeObject[] {
  const ns = INFERENCE.namespace;
  const rolloutUid = randomUUID();
  const selector = {
    'app.kubernetes.io/name': 'inference',
    'app.kubernetes.io/instance': 'inference',
    'app.kubernetes.io/component': 'server',
  };
  const labels = (version: string) => ({
    ...selector,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/part-of': 'devops-app',
    'backstage.io/kubernetes-id': 'inference-service',
    'devops-app.io/service': 'inference-service',
    'devops-app.io/environment': 'prod',
    'tags.datadoghq.com/env': 'prod',
    'tags.datadoghq.com/service': 'inference-service',
    'tags.datadoghq.com/version': version,
  });
  const container = (version: string) => ({
    name: 'inference',
    image: `devopsapp.azurecr.io/inference:${version}`,
    ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
    resources: {
      requests: { cpu: '1', memory: '512Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    },
  });
  const podTemplate = (version: string, colour: string) => ({
    metadata: {
      labels: { ...labels(version), 'devops-app.io/colour': colour },
    },
    spec: { serviceAccountName: 'inference', containers: [container(version)] },
  });

  const rollout: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: INFERENCE.rollout,
      namespace: ns,
      uid: rolloutUid,
      generation: 7,
      creationTimestamp: '2026-10-02T08:00:00Z',
      labels: { ...labels('0.4.0'), 'helm.sh/chart': 'inference-0.1.0' },
      annotations: { 'rollout.argoproj.io/revision': INFERENCE.revision },
    },
    spec: {
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selector },
      strategy: {
        blueGreen: {
          activeService: 'inference',
          previewService: 'inference-preview',
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 60,
          abortScaleDownDelaySeconds: 30,
          prePromotionAnalysis: {
            templates: [{ templateName: 'inference-pre-promotion' }],
            args: [
              {
                name: 'preview-hash',
                valueFrom: { podTemplateHashValue: 'Preview' },
              },
            ],
          },
        },
      },
      template: podTemplate('0.4.0', 'green'),
    },
    status: {
      phase: 'Paused',
      message: 'BlueGreenPause',
      controllerPause: true,
      pauseConditions: [
        { reason: 'BlueGreenPause', startTime: INFERENCE.pauseStartTime },
      ],
      currentPodHash: INFERENCE.previewHash,
      stableRS: INFERENCE.activeHash,
      blueGreen: {
        activeSelector: INFERENCE.activeHash,
        previewSelector: INFERENCE.previewHash,
        prePromotionAnalysisRunStatus: {
          name: `inference-${INFERENCE.previewHash}-${INFERENCE.revision}-pre`,
          status: 'Successful',
        },
      },
      replicas: 6,
      updatedReplicas: 3,
      readyReplicas: 6,
      availableReplicas: 3,
      HPAReplicas: 3,
      observedGeneration: '7',
      selector:
        'app.kubernetes.io/component=server,app.kubernetes.io/instance=inference,app.kubernetes.io/name=inference',
      conditions: [
        {
          type: 'Paused',
          status: 'True',
          reason: 'BlueGreenPause',
          message: 'Rollout is paused',
          lastTransitionTime: INFERENCE.pauseStartTime,
          lastUpdateTime: INFERENCE.pauseStartTime,
        },
        {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'RolloutPaused',
          message: 'Rollout is paused',
          lastTransitionTime: INFERENCE.pauseStartTime,
          lastUpdateTime: INFERENCE.pauseStartTime,
        },
        {
          type: 'Available',
          status: 'True',
          reason: 'AvailableReason',
          message: 'Rollout has minimum availability',
          lastTransitionTime: '2026-11-20T14:02:10Z',
          lastUpdateTime: '2026-11-20T14:02:10Z',
        },
        {
          type: 'Healthy',
          status: 'False',
          reason: 'RolloutHealthy',
          message: 'Rollout is not healthy',
          lastTransitionTime: '2026-11-25T09:08:02Z',
          lastUpdateTime: '2026-11-25T09:08:02Z',
        },
        {
          type: 'Completed',
          status: 'False',
          reason: 'RolloutCompleted',
          message: `Rollout not completed, started update to revision ${INFERENCE.revision} (${INFERENCE.previewHash})`,
          lastTransitionTime: '2026-11-25T09:08:02Z',
          lastUpdateTime: '2026-11-25T09:08:02Z',
        },
      ],
    },
  };

  const owner = (kind: string, name: string, uid: string) => [
    {
      apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
      kind,
      name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
    rollout,
  ];

  const revisions = [
    {
      hash: INFERENCE.oldHash,
      revision: '2',
      version: '0.3.1',
      colour: 'green',
      replicas: 0,
    },
    {
      hash: INFERENCE.activeHash,
      revision: '3',
      version: '0.3.2',
      colour: 'blue',
      replicas: 3,
    },
    {
      hash: INFERENCE.previewHash,
      revision: '4',
      version: '0.4.0',
      colour: 'green',
      replicas: 3,
    },
  ];
  for (const r of revisions) {
    const rsName = `inference-${r.hash}`;
    const rsUid = randomUUID();
    const template = podTemplate(r.version, r.colour);
    const podLabels = {
      ...template.metadata.labels,
      'rollouts-pod-template-hash': r.hash,
    };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: ns,
        uid: rsUid,
        labels: podLabels,
        annotations: {
          'rollout.argoproj.io/revision': r.revision,
          'rollout.argoproj.io/desired-replicas': '3',
        },
        ownerReferences: owner('Rollout', INFERENCE.rollout, rolloutUid),
      },
      spec: {
        replicas: r.replicas,
        selector: {
          matchLabels: { ...selector, 'rollouts-pod-template-hash': r.hash },
        },
        template: { ...template, metadata: { labels: podLabels } },
      },
      status: {
        replicas: r.replicas,
        fullyLabeledReplicas: r.replicas,
        readyReplicas: r.replicas,
        availableReplicas: r.replicas,
        observedGeneration: 2,
      },
    });
    for (const suffix of INFERENCE.podSuffixes.slice(0, r.replicas)) {
      const podName = `${rsName}-${suffix}`;
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: podLabels,
          ownerReferences: owner('ReplicaSet', rsName, rsUid),
        },
        spec: {
          ...template.spec,
          nodeName: 'aks-inference-12345678-vmss000001',
        },
        status: {
          phase: 'Running',
          podIP: `10.244.1.${objects.length}`,
          startTime: '2026-11-25T09:05:40Z',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'True' },
            { type: 'ContainersReady', status: 'True' },
            { type: 'PodScheduled', status: 'True' },
          ],
          containerStatuses: [
            {
              name: 'inference',
              ready: true,
              started: true,
              restartCount: 0,
              image: `devopsapp.azurecr.io/inference:${r.version}`,
              imageID: `devopsapp.azurecr.io/inference@sha256:${r.hash.padEnd(
                64,
                '0',
              )}`,
              state: { running: { startedAt: '2026-11-25T09:05:52Z' } },
            },
          ],
        },
      });
      objects.push({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: { name: podName, namespace: ns, labels: podLabels },
        timestamp: '2026-11-25T09:20:00Z',
        window: '15s',
        containers: [
          { name: 'inference', usage: { cpu: '250m', memory: '300Mi' } },
        ],
      });
    }
  }

  for (const [name, role, hash] of [
    ['inference', 'active', INFERENCE.activeHash],
    ['inference-preview', 'preview', INFERENCE.previewHash],
  ]) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: ns,
        labels: { ...labels('0.4.0'), 'devops-app.io/service-role': role },
        annotations: {
          'argo-rollouts.argoproj.io/managed-by-rollouts': INFERENCE.rollout,
        },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: role === 'active' ? '10.0.142.17' : '10.0.142.18',
        selector: { ...selector, 'rollouts-pod-template-hash': hash },
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        ],
      },
    });
  }

  objects.push({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'inference', namespace: ns, labels: labels('0.4.0') },
    spec: {
      scaleTargetRef: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: INFERENCE.rollout,
      },
      minReplicas: INFERENCE.hpa.min,
      maxReplicas: INFERENCE.hpa.max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 70 },
          },
        },
      ],
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 3,
      currentMetrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: 25, averageValue: '250m' },
          },
        },
      ],
    },
  });

  // Another team's service in the same cluster, with its own kubernetes-id.
  objects.push({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: INFERENCE.otherRollout,
      namespace: 'payments',
      labels: {
        'app.kubernetes.io/name': 'payments-api',
        'backstage.io/kubernetes-id': 'payments-api',
      },
      annotations: { 'rollout.argoproj.io/revision': '12' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'payments-api' } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'payments-api' } },
        spec: {
          containers: [
            { name: 'api', image: 'example.azurecr.io/payments-api:2.3.0' },
          ],
        },
      },
    },
    status: {
      phase: 'Healthy',
      currentPodHash: '59c7f8d6b4',
      stableRS: '59c7f8d6b4',
      replicas: 2,
    },
  });
  return objects;
}

/** What the kubernetes backend answers for a service: per cluster, its objects and errors. */
export interface ObjectsByEntity {
  items: Array<{
    cluster: { name: string };
    errors: unknown[];
    podMetrics: Array<{ pod: { metadata: { name: string } } }>;
    resources: Array<{
      type: string;
      resources: Array<{
        kind?: string;
        metadata: {
          name: string;
          namespace?: string;
          annotations?: Record<string, string>;
        };
        status?: Record<string, any>;
      }>;
    }>;
  }>;
}

/**
 * Asks the portal's kubernetes backend for the objects of a Component, as its Kubernetes tab does
 * (`POST /api/kubernetes/services/<name>` with the entity), signed in as the guest.
 */
export async function kubernetesObjectsOf(
  baseUrl: string,
  component = 'inference-service',
): Promise<{ status: number; body: ObjectsByEntity }> {
  const headers = {
    Authorization: `Bearer ${await guestToken(baseUrl)}`,
    'Content-Type': 'application/json',
  };
  const entity = await (
    await fetch(
      `${baseUrl}/api/catalog/entities/by-name/component/default/${component}`,
      { headers },
    )
  ).json();
  const res = await fetch(`${baseUrl}/api/kubernetes/services/${component}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ entity }),
  });
  return { status: res.status, body: (await res.json()) as ObjectsByEntity };
}
