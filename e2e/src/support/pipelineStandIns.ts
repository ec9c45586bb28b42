// The backend plugin's own Argo CD stand-in (as argocd.test.ts uses it); this file is test code too.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, no-restricted-imports
import { application } from '../../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import { GitOpsRemote } from './deploymentsPortal';

/**
 * What the pipeline's browser tests (pipeline, prodApproval, rollbackFreeze) share: the three
 * environments' Argo CD applications, the cluster's side of a sync, the backend's configuration of the
 * stand-ins, the portal's API as one user and the version a values file holds.
 */

export type PipelineApps = Record<
  'dev' | 'pre-prod' | 'prod',
  ReturnType<typeof application>
>;

/** dev, pre-prod and prod, each an automated Argo CD application. */
export function pipelineApps(): PipelineApps {
  return {
    dev: application('dev', { automated: true }),
    'pre-prod': application('pre-prod', { automated: true }),
    prod: application('prod', { automated: true }),
  };
}

/**
 * Argo CD's sync of the commit, as the cluster would report it: the Application's
 * status.summary.images (ApplicationSummary.images, Argo CD's swagger.json) name the new image.
 */
export function clusterRuns(
  apps: PipelineApps,
  env: keyof PipelineApps,
  version: string,
) {
  apps[env].status.summary.images = [
    `devopsapp.azurecr.io/inference:${version}`,
  ];
}

/** The backend's APP_CONFIG_* naming the Argo CD stand-in and the test's Prometheus. */
export function standInConfig(options: {
  argoCdUrl: string;
  argoCdToken: string;
  prometheusUrl: string;
}): Record<string, string> {
  return {
    APP_CONFIG_devopsApp_argocd: JSON.stringify({
      instances: [
        {
          name: 'stand-in',
          baseUrl: options.argoCdUrl,
          token: options.argoCdToken,
        },
      ],
    }),
    APP_CONFIG_devopsApp_prometheus: JSON.stringify({
      baseUrl: options.prometheusUrl,
    }),
  };
}

/** The plugin's API (`/api/devops-app…`) as the bearer of `token()`: GET, or POST with a body. */
export function devopsAppApi(baseUrl: () => string, token: () => string) {
  return async (path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl()}/api/devops-app${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${token()}`,
        'Content-Type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

/** The image tag a values file holds on the remote's main. */
export function gitTag(remote: GitOpsRemote, file: string) {
  return /tag: "?([^"\n]+)"?/.exec(remote.git('show', `main:${file}`))?.[1];
}
