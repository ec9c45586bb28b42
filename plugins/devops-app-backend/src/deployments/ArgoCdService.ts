import { RootConfigService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ArgoCdStatus,
  EntityLike,
  RolloutStatus,
} from '@devops-app/plugin-devops-app-common';
import { TooManyRequestsError } from '../upstreamErrors';
import { SharedReads } from './snapshot/SharedReads';
import {
  ArgoCdApplication,
  ArgoCdClient,
  ArgoCdResourceNode,
  ArgoCdResourceRef,
  isAutomatedSync,
  toPortalError,
} from './ArgoCdClient';

interface Instance {
  client: ArgoCdClient;
  /** Environments this instance manages; undefined = all. */
  environments?: string[];
}

/**
 * An environment for Argo CD: its name, or its name and the instance its entity names
 * (`devops-app.io/argocd-instance`). Without an instance, the first instance whose `environments` lists
 * it (or that lists none) serves it.
 */
export type ArgoCdEnvironment =
  | string
  | { name: string; argocdInstance?: string };

function nameOf(environment: ArgoCdEnvironment): string {
  return typeof environment === 'string' ? environment : environment.name;
}

/** What the portal tells the user when no Argo CD instance serves an environment. */
/** How long an application's status read answers other callers after it came back. */
const STATUS_WINDOW_MS = 1000;

export const ARGOCD_NOT_CONFIGURED =
  "No Argo CD instance is configured for this environment: name it in the environment entity's " +
  'devops-app.io/argocd-instance and set devopsApp.argocd.instances (name, baseUrl, token from an ' +
  "environment variable such as ${ARGOCD_TOKEN}; or list the environment in an instance's environments)";

/**
 * Argo CD across several instances: finds an environment's Application, reads its state and the
 * blue/green state of its Rollout, syncs it and runs the Rollout's `promote-full` and `abort` actions.
 */
export class ArgoCdService {
  static fromConfig(
    config: RootConfigService,
    options: { fetch?: typeof fetch } = {},
  ): ArgoCdService {
    const block = config.getOptionalConfig('devopsApp.argocd');
    const instances = (block?.getOptionalConfigArray('instances') ?? []).map(
      i => ({
        client: new ArgoCdClient({
          name: i.getString('name'),
          baseUrl: i.getString('baseUrl'),
          token: i.getString('token'),
          fetch: options.fetch,
        }),
        environments: i.getOptionalStringArray('environments'),
      }),
    );
    return new ArgoCdService(
      instances,
      block?.getOptionalString('applicationName') ?? 'inference-{environment}',
      // 0: every status read asks Argo CD (the path before sharing, for bench/src/deploymentsStatus).
      block?.getOptionalNumber('statusShareMs') ?? STATUS_WINDOW_MS,
    );
  }

  /**
   * Status reads of one application shared by concurrent callers while in flight and for
   * `STATUS_WINDOW_MS` after (the data only: each caller's permissions are decided per request).
   */
  private readonly statusReads: SharedReads<ArgoCdStatus>;

  constructor(
    private readonly instances: Instance[],
    private readonly applicationNameTemplate = 'inference-{environment}',
    statusShareMs = STATUS_WINDOW_MS,
  ) {
    this.statusReads = new SharedReads(statusShareMs);
  }

  get configured(): boolean {
    return this.instances.length > 0;
  }

  /** Every configured instance's client, in configuration order (for reads across instances). */
  get clients(): ArgoCdClient[] {
    return this.instances.map(i => i.client);
  }

  private clientFor(environment: ArgoCdEnvironment): ArgoCdClient | undefined {
    const instance =
      typeof environment === 'string' ? undefined : environment.argocdInstance;
    if (instance) {
      return this.instances.find(i => i.client.name === instance)?.client;
    }
    const name = nameOf(environment);
    return this.instances.find(
      i => !i.environments || i.environments.includes(name),
    )?.client;
  }

  private async findApplication(
    client: ArgoCdClient,
    entity: EntityLike,
    target: ArgoCdEnvironment,
  ): Promise<ArgoCdApplication> {
    const environment = nameOf(target);
    const selector =
      entity.metadata.annotations?.[ANNOTATION_ARGOCD_APP_SELECTOR];
    if (selector) {
      const query = environmentSelector(selector, environment);
      let apps: ArgoCdApplication[];
      try {
        apps = await client.listApplications(query);
      } catch (e) {
        throw toPortalError(
          e,
          client.name,
          `the application of ${environment}`,
        );
      }
      if (apps.length === 0) {
        throw new NotFoundError(
          `Argo CD instance ${client.name} has no application matching ${query} (or the token may not see it)`,
        );
      }
      return apps[0];
    }
    const name = this.applicationNameTemplate.replace(
      '{environment}',
      environment,
    );
    return client.getApplication(name).catch(e => {
      throw toPortalError(e, client.name, name);
    });
  }

  async status(
    entity: EntityLike,
    environment: ArgoCdEnvironment,
  ): Promise<ArgoCdStatus> {
    const client = this.clientFor(environment);
    if (!client) {
      return { state: 'not-connected', message: ARGOCD_NOT_CONFIGURED };
    }
    const selector =
      entity.metadata.annotations?.[ANNOTATION_ARGOCD_APP_SELECTOR] ?? '';
    return this.statusReads.get(
      JSON.stringify([client.name, selector, nameOf(environment)]),
      () => this.readStatus(client, entity, environment),
    );
  }

  private async readStatus(
    client: ArgoCdClient,
    entity: EntityLike,
    environment: ArgoCdEnvironment,
  ): Promise<ArgoCdStatus> {
    let app: ArgoCdApplication;
    try {
      app = await this.findApplication(client, entity, environment);
    } catch (e) {
      // A rate limit is the caller's to wait out (429 with Retry-After), not a state of the card.
      if (e instanceof TooManyRequestsError) throw e;
      return {
        state: 'error',
        instance: client.name,
        message: (e as Error).message,
      };
    }
    const status: ArgoCdStatus = {
      state: 'connected',
      instance: client.name,
      application: app.metadata.name,
      syncStatus: app.status?.sync?.status,
      healthStatus: app.status?.health?.status,
      revision: app.status?.sync?.revision,
      syncPolicy: isAutomatedSync(app) ? 'automated' : 'manual',
      operationPhase: app.status?.operationState?.phase,
      liveTag:
        tagsOf(app.status?.summary?.images ?? []).join(', ') || undefined,
    };
    try {
      const rollout = await this.readRollout(client, app);
      status.rollout = rollout?.status;
    } catch (e) {
      if (e instanceof TooManyRequestsError) throw e;
      status.message = toPortalError(e, client.name, app.metadata.name).message;
    }
    return status;
  }

  /** Syncs the environment's Application; refuses while a sync already runs. */
  async sync(
    entity: EntityLike,
    environment: ArgoCdEnvironment,
  ): Promise<{ application: string; revision?: string }> {
    const { client, app } = await this.resolve(entity, environment);
    this.statusReads.clear();
    if (app.status?.operationState?.phase === 'Running') {
      throw new ConflictError(
        `A sync of ${app.metadata.name} is already in progress`,
      );
    }
    try {
      const synced = await client.sync(app.metadata.name);
      return {
        application: app.metadata.name,
        revision: synced.status?.sync?.revision,
      };
    } catch (e) {
      throw toPortalError(e, client.name, app.metadata.name);
    }
  }

  /** Whether the environment's Application syncs by itself; undefined when Argo CD is not reachable. */
  async isManualSync(
    entity: EntityLike,
    environment: ArgoCdEnvironment,
  ): Promise<boolean | undefined> {
    if (!this.clientFor(environment)) return undefined;
    const { app } = await this.resolve(entity, environment);
    return !isAutomatedSync(app);
  }

  /** Runs `promote-full` or `abort` on the environment's Rollout. */
  async rolloutAction(
    entity: EntityLike,
    environment: ArgoCdEnvironment,
    action: 'promote-full' | 'abort',
  ): Promise<RolloutStatus> {
    const { client, app } = await this.resolve(entity, environment);
    this.statusReads.clear();
    const rollout = await this.readRollout(client, app).catch(e => {
      throw toPortalError(e, client.name, app.metadata.name);
    });
    if (!rollout) {
      throw new NotFoundError(
        `Application ${app.metadata.name} manages no Rollout`,
      );
    }
    try {
      await client.runResourceAction(app.metadata.name, rollout.ref, action, {
        appNamespace: app.metadata.namespace,
        project: app.spec.project,
      });
    } catch (e) {
      throw toPortalError(e, client.name, app.metadata.name);
    }
    return rollout.status;
  }

  /**
   * The pre-promotion AnalysisRun of the environment's Rollout for `version`, as Argo CD shows it:
   * the Rollout's live manifest (`.../resource`) names it in
   * `status.blueGreen.prePromotionAnalysisRunStatus` {name, status} (rollout CRD), and the AnalysisRun
   * (a child of the Rollout in `.../resource-tree`) is read through the same `.../resource` route
   * for its metrics. Undefined when no instance serves the environment, the application manages no
   * Rollout, the Rollout's pod template does not run `version`, or it has no pre-promotion analysis.
   * Argo CD's errors are thrown (the caller decides what an unreadable analysis means).
   */
  async analysisRun(
    entity: EntityLike,
    environment: ArgoCdEnvironment,
    version: string,
  ): Promise<AnalysisRunResult | undefined> {
    if (!this.clientFor(environment)) return undefined;
    const { client, app } = await this.resolve(entity, environment);
    try {
      const nodes = await client.resourceTree(app.metadata.name);
      const rolloutNode = rolloutNodeOf(app, nodes);
      if (!rolloutNode) return undefined;
      const namespace =
        rolloutNode.namespace ?? app.spec.destination?.namespace ?? '';
      const rollout = await client.getResource(app.metadata.name, {
        group: 'argoproj.io',
        version: rolloutNode.version ?? 'v1alpha1',
        kind: 'Rollout',
        namespace,
        name: rolloutNode.name,
      });
      const containers: { image?: string }[] =
        rollout?.spec?.template?.spec?.containers ?? [];
      if (!tagsOf(containers.map(c => c.image ?? '')).includes(version)) {
        return undefined;
      }
      const summary = rollout?.status?.blueGreen
        ?.prePromotionAnalysisRunStatus as
        | { name?: string; status?: string; message?: string }
        | undefined;
      if (!summary?.name) return undefined;
      const node = nodes.find(
        n =>
          n.kind === 'AnalysisRun' &&
          n.group === 'argoproj.io' &&
          n.name === summary.name,
      );
      const run = node
        ? await client.getResource(app.metadata.name, {
            group: 'argoproj.io',
            version: node.version ?? 'v1alpha1',
            kind: 'AnalysisRun',
            namespace: node.namespace ?? namespace,
            name: node.name,
          })
        : undefined;
      return analysisRunResult(summary.name, summary, run);
    } catch (e) {
      throw toPortalError(e, client.name, app.metadata.name);
    }
  }

  private async resolve(entity: EntityLike, environment: ArgoCdEnvironment) {
    const client = this.clientFor(environment);
    if (!client) {
      throw new NotFoundError(ARGOCD_NOT_CONFIGURED);
    }
    const app = await this.findApplication(client, entity, environment);
    return { client, app };
  }

  private async readRollout(
    client: ArgoCdClient,
    app: ArgoCdApplication,
  ): Promise<{ ref: ArgoCdResourceRef; status: RolloutStatus } | undefined> {
    const nodes = await client.resourceTree(app.metadata.name);
    const node = rolloutNodeOf(app, nodes);
    if (!node) {
      return undefined;
    }
    const ref: ArgoCdResourceRef = {
      group: node.group ?? 'argoproj.io',
      version: node.version ?? 'v1alpha1',
      kind: 'Rollout',
      namespace: node.namespace ?? app.spec.destination?.namespace ?? '',
      name: node.name,
    };
    const manifest = await client.getResource(app.metadata.name, ref);
    return {
      ref,
      status: rolloutStatus(node.name, manifest, node.health?.status),
    };
  }
}

/** The application's Rollout in its resource tree (the one `devops-app.io/rollout` names, if any). */
function rolloutNodeOf(
  app: ArgoCdApplication,
  nodes: ArgoCdResourceNode[],
): ArgoCdResourceNode | undefined {
  const wanted = app.metadata.annotations?.['devops-app.io/rollout'];
  return (
    nodes.find(
      n =>
        n.kind === 'Rollout' &&
        n.group === 'argoproj.io' &&
        (!wanted || n.name === wanted),
    ) ?? nodes.find(n => n.kind === 'Rollout')
  );
}

/** One metric of an AnalysisRun: its phase and its newest measurement. */
export interface AnalysisMetricResult {
  name: string;
  phase: string;
  /** The newest measurement's value, as the provider returned it (a string, e.g. "[0.07]"). */
  value?: string;
  message?: string;
  count?: number;
  failed?: number;
}

/** A Rollout's pre-promotion AnalysisRun: its phase and, when Argo CD showed it, its metrics. */
export interface AnalysisRunResult {
  name: string;
  /** Pending, Running, Successful, Failed, Error or Inconclusive (AnalysisPhase of Argo Rollouts). */
  phase: string;
  message?: string;
  metrics: AnalysisMetricResult[];
}

/**
 * The result from the AnalysisRun's live manifest (argoproj/argo-rollouts
 * pkg/apis/rollouts/v1alpha1/analysis_types.go: status.phase, status.message, status.metricResults[]
 * {name, phase, message, measurements[] {phase, value, message}, count, failed}); the Rollout's
 * summary {name, status} when the AnalysisRun itself is not in the tree (deleted, or not yet cached).
 */
export function analysisRunResult(
  name: string,
  summary: { status?: string; message?: string },
  manifest?: any,
): AnalysisRunResult {
  const status = manifest?.status;
  const metrics: AnalysisMetricResult[] = (status?.metricResults ?? []).map(
    (m: any) => {
      const last = (m.measurements ?? []).at(-1);
      return {
        name: String(m.name),
        phase: String(m.phase ?? 'Pending'),
        value: last?.value === undefined ? undefined : String(last.value),
        message: m.message ?? last?.message,
        count: m.count,
        failed: m.failed,
      };
    },
  );
  return {
    name,
    phase: String(status?.phase ?? summary.status ?? 'Pending'),
    message: status?.message ?? summary.message,
    metrics,
  };
}

/**
 * The entity's selector narrowed to one environment. Argo CD parses `selector` with Kubernetes'
 * `labels.Parse` (server/application/application.go, List), where a comma is AND between requirements
 * of any form (`k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`); the annotation is used as its
 * owner wrote it, with surrounding blanks and a trailing comma (an empty requirement, which labels.Parse
 * refuses) dropped.
 */
export function environmentSelector(
  selector: string,
  environment: string,
): string {
  const own = selector.trim().replace(/,\s*$/, '');
  const term = `devops-app.io/environment=${environment}`;
  return own ? `${own},${term}` : term;
}

function tagsOf(images: string[]): string[] {
  return images.map(i => /:([^:/@]+)(@.*)?$/.exec(i)?.[1] ?? i);
}

const OTHER_COLOUR: Record<string, string> = { blue: 'green', green: 'blue' };

/** The blue/green state from a Rollout's live manifest (argoproj.io/v1alpha1 Rollout status). */
export function rolloutStatus(
  name: string,
  manifest: any,
  health?: string,
): RolloutStatus {
  const status = manifest?.status ?? {};
  const pauseConditions: { reason?: string }[] = status.pauseConditions ?? [];
  const activeRevision: string | undefined = status.blueGreen?.activeSelector;
  const previewRevision: string | undefined = status.blueGreen?.previewSelector;
  const templateColour: string | undefined =
    manifest?.spec?.template?.metadata?.labels?.['devops-app.io/colour'];
  const current: string | undefined = status.currentPodHash;
  let activeColour: string | undefined;
  let previewColour: string | undefined;
  if (templateColour) {
    if (activeRevision && current && activeRevision !== current) {
      previewColour = templateColour;
      activeColour = OTHER_COLOUR[templateColour];
    } else {
      activeColour = templateColour;
    }
  }
  return {
    name,
    phase: status.phase ?? health,
    message: status.message,
    pausedForPromotion: pauseConditions.some(
      c => c.reason === 'BlueGreenPause',
    ),
    aborted: Boolean(status.abort),
    activeRevision,
    previewRevision:
      previewRevision && previewRevision !== activeRevision
        ? previewRevision
        : undefined,
    activeColour,
    previewColour,
  };
}
