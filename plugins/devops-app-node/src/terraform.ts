import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  TerraformLogLine,
  TerraformRun,
  TerraformRunMode,
} from '@devops-app/plugin-devops-app-common';

/** A request to run an environment's stacks. @public */
export interface TerraformRunRequest {
  environment: string;
  mode: TerraformRunMode;
  /** The scaffolder task that asks, for the run's history. */
  taskId?: string;
  /**
   * A commit of the GitOps branch to run the environment's files at (the one a template just
   * pushed); the server checks it is on the branch and holds them. The branch head by default. The
   * files and the state location are the server's: a request carries nothing else.
   */
  commit?: string;
}

/**
 * The devops-app backend's terraform run service, as other backend plugins (the scaffolder module)
 * use it. Every call acts for the given credentials; the run is executed, locked and stored by the
 * devops-app backend, so a run started here shows in the DevOps tab and holds across instances.
 *
 * @public
 */
export interface TerraformRunService {
  startRun(
    request: TerraformRunRequest,
    options: { credentials: BackstageCredentials },
  ): Promise<TerraformRun>;
  getRun(
    id: string,
    options: { credentials: BackstageCredentials },
  ): Promise<TerraformRun>;
  /** Log lines with `seq` greater than `after`, oldest first. */
  readLog(
    id: string,
    options: { credentials: BackstageCredentials; after?: number },
  ): Promise<TerraformLogLine[]>;
  cancelRun(
    id: string,
    options: { credentials: BackstageCredentials },
  ): Promise<TerraformRun>;
  /**
   * "Remove environment": the backend's teardown route (destroy run, then the removal commit and
   * the catalog), authorized and audited there; `confirm` is the environment's name typed again.
   * Answers with the queued destroy run.
   */
  removeEnvironment(
    environment: string,
    confirm: string,
    options: { credentials: BackstageCredentials },
  ): Promise<TerraformRun>;
}

/** Talks to the devops-app backend's `/terraform` routes with on-behalf-of tokens. @public */
export class TerraformRunClient implements TerraformRunService {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  startRun(
    request: TerraformRunRequest,
    options: { credentials: BackstageCredentials },
  ) {
    return this.call<TerraformRun>('/runs', options.credentials, {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  getRun(id: string, options: { credentials: BackstageCredentials }) {
    return this.call<TerraformRun>(
      `/runs/${encodeURIComponent(id)}`,
      options.credentials,
    );
  }

  async readLog(
    id: string,
    options: { credentials: BackstageCredentials; after?: number },
  ) {
    const query = options.after === undefined ? '' : `?after=${options.after}`;
    const body = await this.call<{ items: TerraformLogLine[] }>(
      `/runs/${encodeURIComponent(id)}/log${query}`,
      options.credentials,
    );
    return body.items;
  }

  cancelRun(id: string, options: { credentials: BackstageCredentials }) {
    return this.call<TerraformRun>(
      `/runs/${encodeURIComponent(id)}/cancel`,
      options.credentials,
      {
        method: 'POST',
      },
    );
  }

  removeEnvironment(
    environment: string,
    confirm: string,
    options: { credentials: BackstageCredentials },
  ) {
    return this.call<TerraformRun>(
      `/environments/${encodeURIComponent(environment)}/remove`,
      options.credentials,
      { method: 'POST', body: JSON.stringify({ confirm }) },
    );
  }

  private async call<T>(
    path: string,
    credentials: BackstageCredentials,
    init: RequestInit = {},
  ): Promise<T> {
    const { discovery, auth } = this.options;
    const baseUrl = await discovery.getBaseUrl('devops-app');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'devops-app',
    });
    const response = await fetch(`${baseUrl}/terraform${path}`, {
      ...init,
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // A failed step says why in the backend's words (a 403 names the permission and environment).
      const reason = error.body?.error?.message;
      if (reason) error.message = `${error.message}: ${reason}`;
      throw error;
    }
    // Parsed here rather than by response.json(), so the values are plain objects of this module's
    // realm: the scaffolder's template engine refuses any other kind as step output.
    return JSON.parse(await response.text()) as T;
  }
}

/**
 * The terraform run service of the devops-app backend, for backend modules such as the scaffolder's.
 * @public
 */
export const terraformRunServiceRef = createServiceRef<TerraformRunService>({
  id: 'devops-app.terraform-runs',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) =>
        new TerraformRunClient({ discovery, auth }),
    }),
});
