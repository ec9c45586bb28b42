import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

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
    syncPolicy?: { automated?: Record<string, unknown> | null };
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

/** An error answered by Argo CD, with its HTTP status and message. */
export class ArgoCdApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ArgoCdApiError';
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

  /** `GET /api/v1/applications?selector=` */
  async listApplications(selector?: string): Promise<ArgoCdApplication[]> {
    const query = selector ? `?${new URLSearchParams({ selector })}` : '';
    const body = await this.request<{ items?: ArgoCdApplication[] | null }>(
      'GET',
      `/api/v1/applications${query}`,
    );
    return body.items ?? [];
  }

  /** `GET /api/v1/applications/{name}` */
  getApplication(name: string): Promise<ArgoCdApplication> {
    return this.request(
      'GET',
      `/api/v1/applications/${encodeURIComponent(name)}`,
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
   * (body: the action name as a JSON string) deprecated. The v2 form is tried first; when the server
   * answers 404 or 405 for it (an Argo CD without the v2 route), the old form is tried once, and if
   * that one is understood the instance is remembered as "v1 only" for later calls. Any other answer
   * of v2 (e.g. 403, 400) is the server's answer and is not retried with v1.
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
          (e.status === 404 || e.status === 405) &&
          this.resourceActionsApi === undefined;
        if (!missingRoute) {
          throw e;
        }
      }
    }
    try {
      await this.request('POST', `${base}?${resourceQuery(ref)}`, action);
    } catch (e) {
      // A 404 of the old route too says nothing about the server's version (the application or
      // resource may be missing), nor does an unreachable server or a 5xx: keep probing v2 next time.
      // Another 4xx (403, 400) is the old route answering: remember it.
      if (
        e instanceof ArgoCdApiError &&
        e.status < 500 &&
        e.status !== 404 &&
        e.status !== 405
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
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text);
        message = parsed.message ?? parsed.error ?? message;
      } catch {
        // not JSON; keep the text
      }
      throw new ArgoCdApiError(response.status, message);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
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

/** Turns an Argo CD answer into the portal's error for the caller. */
export function toPortalError(
  error: unknown,
  instance: string,
  application: string,
): Error {
  if (!(error instanceof ArgoCdApiError)) {
    return error as Error;
  }
  if (error.status === 404) {
    return new NotFoundError(
      `Argo CD instance ${instance} has no application ${application} (or the token may not see it): ${error.message}`,
    );
  }
  if (error.status === 401 || error.status === 403) {
    return new ServiceUnavailableError(
      `Argo CD instance ${instance} refused the portal's token (${error.status}): give its account get/sync/action rights on ${application}`,
    );
  }
  if (/another operation is already in progress/i.test(error.message)) {
    return new ConflictError(`A sync of ${application} is already in progress`);
  }
  return new ServiceUnavailableError(
    `Argo CD instance ${instance} answered ${error.status}: ${error.message}`,
  );
}
