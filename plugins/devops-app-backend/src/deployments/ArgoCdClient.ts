import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { retryAfterSeconds, TooManyRequestsError } from '../upstreamErrors';

/**
 * A client of Argo CD's REST API (the grpc-gateway API that `argocd` and the UI use; its OpenAPI
 * description is assets/swagger.json in the argoproj/argo-cd repository). Only the calls the portal
 * needs: applications list/get, sync, resource-tree, a managed resource's live manifest and resource
 * actions. Authenticates with a bearer token (an Argo CD account or project token).
 */

/** The parts of `v1alpha1Application` the portal reads. */
export interface ArgoCdApplication {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    project?: string;
    destination?: { namespace?: string; server?: string };
    syncPolicy?: {
      automated?: {
        enabled?: boolean;
        prune?: boolean;
        selfHeal?: boolean;
      } | null;
    };
    source?: { repoURL?: string; targetRevision?: string; path?: string };
  };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
    };
    summary?: { images?: string[] };
  };
}

/** `v1alpha1ResourceNode`, as `resource-tree` returns it. */
export interface ArgoCdResourceNode {
  group?: string;
  version?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  health?: { status?: string; message?: string };
  info?: { name?: string; value?: string }[];
  images?: string[];
  parentRefs?: { kind: string; name: string; group?: string }[];
}

export interface ArgoCdResourceRef {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ArgoCdClientOptions {
  name: string;
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/**
 * Whether Argo CD syncs the application by itself. Argo CD's own test is
 * `SyncPolicy.IsAutomatedSyncEnabled()` (pkg/apis/application/v1alpha1/types.go): `automated` is set
 * and its `enabled` is unset or true. `automated: {enabled: false, ...}` is what `argocd app set
 * --self-heal/--auto-prune` writes on a manual application (cmd/util/app.go), and is manual.
 */
export function isAutomatedSync(app: ArgoCdApplication): boolean {
  const automated = app.spec.syncPolicy?.automated;
  return Boolean(automated) && automated?.enabled !== false;
}

/**
 * An error answered by Argo CD, with its HTTP status and, when the answer was a gRPC status
 * (`runtimeError` in assets/swagger.json: {error, code, message}), its gRPC code. grpc-gateway maps the
 * code to the HTTP status (PermissionDenied 7 -> 403, NotFound 5 -> 404, InvalidArgument 3 -> 400,
 * Unknown 2 -> 500). A route the gateway does not know is not a gRPC status: grpc-gateway v1.16 (the
 * version Argo CD's go.mod pins) answers it with `http.Error(w, "Not Found", 404)`, plain text, or
 * 405 "Method Not Allowed" (runtime/mux.go, OtherErrorHandler).
 */
export class ArgoCdApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly grpcCode?: number,
  ) {
    super(message);
    this.name = 'ArgoCdApiError';
  }

  /** The gateway found no route (an Argo CD without this endpoint), not the server refusing. */
  get routeMissing(): boolean {
    return (
      (this.status === 404 || this.status === 405) &&
      this.grpcCode === undefined
    );
  }
}

export class ArgoCdClient {
  readonly name: string;
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchFn: typeof fetch;
  private resourceActionsApi?: 'v1' | 'v2';

  constructor(options: ArgoCdClientOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchFn = options.fetch ?? fetch;
  }

  /**
   * `GET /api/v1/applications?selector=&projects=&appNamespace=`. The selector goes as written: Argo CD
   * parses it with Kubernetes' labels.Parse (set-based terms, `!key` and blanks included), and a
   * query-string value carries all of them percent-encoded.
   */
  async listApplications(
    selector?: string,
    options: { project?: string; appNamespace?: string } = {},
  ): Promise<ArgoCdApplication[]> {
    const params = new URLSearchParams();
    if (selector) params.set('selector', selector);
    // ApplicationQuery.projects (repeated; the gateway also reads the singular `project`).
    if (options.project) params.set('projects', options.project);
    if (options.appNamespace) params.set('appNamespace', options.appNamespace);
    const query = params.size ? `?${params}` : '';
    const body = await this.request<{ items?: ArgoCdApplication[] | null }>(
      'GET',
      `/api/v1/applications${query}`,
    );
    return body.items ?? [];
  }

  /** `GET /api/v1/applications/{name}?appNamespace=` */
  getApplication(
    name: string,
    options: { appNamespace?: string } = {},
  ): Promise<ArgoCdApplication> {
    return this.request(
      'GET',
      `/api/v1/applications/${encodeURIComponent(name)}${namespaceQuery(
        options.appNamespace,
      )}`,
    );
  }

  /**
   * `GET /api/v1/applications/{name}/revisions/{revision}/metadata?appNamespace=`:
   * v1alpha1RevisionMetadata (author, date, message, tags) of a commit of the application's source.
   */
  revisionMetadata(
    name: string,
    revision: string,
    options: { appNamespace?: string } = {},
  ): Promise<unknown> {
    return this.request(
      'GET',
      `/api/v1/applications/${encodeURIComponent(
        name,
      )}/revisions/${encodeURIComponent(revision)}/metadata${namespaceQuery(
        options.appNamespace,
      )}`,
    );
  }

  /** `POST /api/v1/applications/{name}/sync` */
  async sync(name: string, revision?: string): Promise<ArgoCdApplication> {
    return this.request(
      'POST',
      `/api/v1/applications/${encodeURIComponent(name)}/sync`,
      {
        name,
        ...(revision ? { revision } : {}),
      },
    );
  }

  /** `GET /api/v1/applications/{name}/resource-tree` */
  async resourceTree(name: string): Promise<ArgoCdResourceNode[]> {
    const body = await this.request<{ nodes?: ArgoCdResourceNode[] | null }>(
      'GET',
      `/api/v1/applications/${encodeURIComponent(name)}/resource-tree`,
    );
    return body.nodes ?? [];
  }

  /** `GET /api/v1/applications/{name}/resource`: the live manifest of one managed resource. */
  async getResource(application: string, ref: ArgoCdResourceRef): Promise<any> {
    const body = await this.request<{ manifest?: string }>(
      'GET',
      `/api/v1/applications/${encodeURIComponent(
        application,
      )}/resource?${resourceQuery(ref)}`,
    );
    return body.manifest ? JSON.parse(body.manifest) : undefined;
  }

  /**
   * Runs a resource action (for an Argo Rollout: `promote-full`, `abort`, `resume`, `retry`, `restart`).
   *
   * Argo CD 3.x documents `POST /api/v1/applications/{name}/resource/actions/v2` with a JSON body
   * (`applicationResourceActionRunRequestV2`: name, namespace, resourceName, version, group, kind,
   * action, appNamespace, project, resourceActionParameters) and marks the older
   * `POST /api/v1/applications/{name}/resource/actions?namespace&resourceName&version&group&kind`
   * (body: the action name as a JSON string) deprecated. The v2 form is tried first; when the gateway
   * has no route for it (404/405 that is not a gRPC status, see ArgoCdApiError.routeMissing: an Argo CD
   * without the v2 route), the old form is tried once, and if that one is understood the instance is
   * remembered as "v1 only" for later calls. Any answer of the application server is final and not
   * retried with v1, in particular the 404 (gRPC NotFound) that `getAppEnforceRBAC`
   * (server/application/application.go) gives when a request names a project the application is not
   * in, or the caller may not see it there: the old route without the project would bypass that check.
   */
  async runResourceAction(
    application: string,
    ref: ArgoCdResourceRef,
    action: string,
    options: { appNamespace?: string; project?: string } = {},
  ): Promise<void> {
    const base = `/api/v1/applications/${encodeURIComponent(
      application,
    )}/resource/actions`;
    if (this.resourceActionsApi !== 'v1') {
      try {
        await this.request('POST', `${base}/v2`, {
          name: application,
          namespace: ref.namespace,
          resourceName: ref.name,
          version: ref.version,
          group: ref.group,
          kind: ref.kind,
          action,
          ...(options.appNamespace
            ? { appNamespace: options.appNamespace }
            : {}),
          ...(options.project ? { project: options.project } : {}),
        });
        this.resourceActionsApi = 'v2';
        return;
      } catch (e) {
        const missingRoute =
          e instanceof ArgoCdApiError &&
          e.routeMissing &&
          this.resourceActionsApi === undefined;
        if (!missingRoute) {
          throw e;
        }
      }
    }
    try {
      await this.request('POST', `${base}?${resourceQuery(ref)}`, action);
    } catch (e) {
      // A gRPC status from the old route (403, 400, 500 for an unknown action) is the old route
      // answering: remember it. No route for it either, an unreachable server or a 429 say nothing
      // about the server's version: keep probing v2 next time.
      if (
        e instanceof ArgoCdApiError &&
        e.grpcCode !== undefined &&
        e.status !== 429
      ) {
        this.resourceActionsApi = 'v1';
      }
      throw e;
    }
    this.resourceActionsApi = 'v1';
  }

  /**
   * Which resource-actions route this instance serves: undefined until known, `v2` once the v2 route
   * answered, `v1` once the v2 route was missing and the old one answered.
   */
  get resourceActionsVersion(): 'v1' | 'v2' | undefined {
    return this.resourceActionsApi;
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new ServiceUnavailableError(
        `Argo CD instance ${this.name} is not reachable: ${
          (e as Error).message
        }`,
      );
    }
    const text = await response.text();
    if (response.status === 429) {
      // Argo CD itself does not rate-limit its API; a proxy in front of it (an ingress with a rate
      // limit) answers 429 with Retry-After (RFC 9110 section 10.2.3). Handed back to the caller at once.
      const seconds = retryAfterSeconds(response.headers) ?? 1;
      throw new TooManyRequestsError(
        `Argo CD instance ${this.name} is rate limiting; retry in ${seconds} s`,
        seconds,
      );
    }
    if (!response.ok) {
      let message = text.trim().slice(0, 300);
      let grpcCode: number | undefined;
      try {
        const parsed = JSON.parse(text);
        if (typeof parsed?.code === 'number') grpcCode = parsed.code;
        message = parsed.message ?? parsed.error ?? message;
      } catch {
        // not JSON (the gateway's own "Not Found"); keep the text
      }
      throw new ArgoCdApiError(response.status, message, grpcCode);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

function namespaceQuery(appNamespace: string | undefined): string {
  return appNamespace ? `?${new URLSearchParams({ appNamespace })}` : '';
}

function resourceQuery(ref: ArgoCdResourceRef): string {
  return new URLSearchParams({
    namespace: ref.namespace,
    resourceName: ref.name,
    version: ref.version,
    kind: ref.kind,
    group: ref.group,
  }).toString();
}

/**
 * Turns an Argo CD answer into the portal's error for the caller. The codes are those of Argo CD's
 * application server (server/application/application.go):
 * - 403 PermissionDenied "permission denied": the token may not see the application, or it does not
 *   exist; `getAppEnforceRBAC` answers both alike so existence does not leak.
 * - 404 NotFound: the request named a project (resource actions v2) and the application is not in it
 *   (or not visible there).
 * - 400 InvalidArgument "... not found as part of application ...": the resource is not managed by it.
 * - 500 Unknown: an error that is not a gRPC status, e.g. "error getting Lua resource action" for an
 *   action the resource does not have.
 * - 400 FailedPrecondition "another operation is already in progress".
 */
export function toPortalError(
  error: unknown,
  instance: string,
  application: string,
): Error {
  if (!(error instanceof ArgoCdApiError)) {
    return error as Error;
  }
  if (/another operation is already in progress/i.test(error.message)) {
    return new ConflictError(`A sync of ${application} is already in progress`);
  }
  if (error.status === 401) {
    return new ServiceUnavailableError(
      `Argo CD instance ${instance} refused the portal's token (401): it is invalid or expired`,
    );
  }
  if (error.status === 403) {
    return new ServiceUnavailableError(
      `Argo CD instance ${instance} refused the portal's token (403) for ${application}: the application does not exist or the token's account has no get/sync/action rights on it (Argo CD does not say which)`,
    );
  }
  if (error.status === 404 && !error.routeMissing) {
    return new NotFoundError(
      `Argo CD instance ${instance} has no application ${application} in the project the portal named (it moved to another project, or the token may not see it there)`,
    );
  }
  if (
    error.status === 400 &&
    /not found as part of application/.test(error.message)
  ) {
    return new NotFoundError(
      `Application ${application} on Argo CD instance ${instance} does not manage that resource: ${error.message}`,
    );
  }
  if (error.status === 500 && /resource action/i.test(error.message)) {
    return new NotFoundError(
      `Argo CD instance ${instance} has no such action for the resource of ${application}: ${error.message}`,
    );
  }
  return new ServiceUnavailableError(
    `Argo CD instance ${instance} answered ${error.status}: ${error.message}`,
  );
}
