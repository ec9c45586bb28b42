import fs from 'node:fs';
import path from 'node:path';
import { copyChart } from './chartCopy';
import {
  AppEnvironment,
  argocdEnvironments,
  clusterOf,
  inferenceEnvironments,
  sandboxIdentityValues,
} from './environments';
import { KubeObject, helmLint, helmTemplate, renderObjects } from './helm';
import { checkInferenceRelease } from './inferenceChecks';
import { field, ofKind } from './kube';
import { argocdAppsChartDir, inferenceChartDir, repoRoot } from './paths';
import { SkeletonValues, renderSkeletonFile } from './skeleton';
import { validateObject } from './validateObject';

interface ApplicationSpec {
  project: string;
  source: {
    repoURL: string;
    targetRevision: string;
    path: string;
    helm: {
      releaseName?: string;
      valueFiles?: string[];
      parameters?: { name: string; value: string; forceString?: boolean }[];
    };
  };
  destination: { server: string; namespace: string };
  syncPolicy: {
    automated?: { prune?: boolean; selfHeal?: boolean };
    syncOptions?: string[];
  };
}

const ROOT_APPLICATION = 'devops-app-environments';
const BOOTSTRAP_PROJECT = 'devops-app-bootstrap';
const FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** The chart's rule for a pinned revision: a full commit SHA or a release tag. */
const PINNED = /^([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$/;

const globMatch = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);
const specOf = (app: KubeObject) => app.spec as unknown as ApplicationSpec;

/** One cluster's render of charts/argocd-apps: what its Argo CD applies. */
function renderCluster(cluster: string, chartDir: string = argocdAppsChartDir) {
  const objects = renderObjects(chartDir, 'argocd-apps', { set: { cluster } });
  const projects = ofKind(objects, 'AppProject');
  const applications = ofKind(objects, 'Application');
  return {
    objects,
    project: projects.find(p => p.metadata.name === 'devops-app')!,
    bootstrapProject: projects.find(
      p => p.metadata.name === BOOTSTRAP_PROJECT,
    )!,
    root: applications.find(a => a.metadata.name === ROOT_APPLICATION)!,
    environments: applications.filter(a =>
      a.metadata.name.startsWith('inference-'),
    ),
  };
}

/** The environment file the new-environment template writes, with the form's values. */
const templateEnvironmentFile = (values: SkeletonValues) =>
  renderSkeletonFile(
    'charts/argocd-apps/environments/${{ values.name }}.yaml',
    values,
  );

describe('charts/argocd-apps', () => {
  const environments = argocdEnvironments();
  const clusters = [...new Set(environments.map(clusterOf))].sort();
  const renders = new Map(
    clusters.map(cluster => [cluster, renderCluster(cluster)]),
  );

  it('knows the project clusters, one per environment', () => {
    expect(clusters).toEqual(['dev', 'pre-prod', 'prod']);
  });

  it('renders every environment on exactly one cluster, and no environment the inference chart lacks', () => {
    const rendered = [...renders.values()]
      .flatMap(r => r.environments.map(app => app.metadata.name))
      .sort();
    expect(rendered).toEqual(
      environments.map(e => `inference-${e.name}`).sort(),
    );
    expect(environments.map(e => e.name).sort()).toEqual(
      inferenceEnvironments()
        .map(e => e.name)
        .sort(),
    );
  });

  it('marks dev, pre-prod and prod protected, and only prod production', () => {
    const flags = Object.fromEntries(
      environments.map(e => [e.name, [e.protected, e.production]]),
    );
    expect(flags).toEqual({
      dev: [true, false],
      'pre-prod': [true, false],
      prod: [true, true],
    });
  });

  it('refuses a render without the cluster value', () => {
    const template = helmTemplate(argocdAppsChartDir, 'argocd-apps');
    expect(template.status).not.toBe(0);
    expect(template.stderr).toMatch(/\(root\): cluster is required/);
    const lint = helmLint(argocdAppsChartDir);
    expect(lint.status).not.toBe(0);
    expect(lint.stdout).toMatch(/cluster is required/);
  });

  it('refuses a cluster no environment file names', () => {
    const result = helmTemplate(argocdAppsChartDir, 'argocd-apps', {
      set: { cluster: 'staging' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /cluster: 'staging' is no environment's cluster \(the environment files name: dev, pre-prod, prod\)/,
    );
  });

  it('refuses the default project for the root Application', () => {
    const result = helmTemplate(argocdAppsChartDir, 'argocd-apps', {
      set: { cluster: 'dev', 'rootApplication.project': 'default' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /rootApplication\.project: Must not validate the schema/,
    );
  });

  describe.each(clusters)('the %s cluster', cluster => {
    const {
      objects,
      project,
      bootstrapProject,
      root,
      environments: apps,
    } = renders.get(cluster)!;
    const mine = environments.filter(e => clusterOf(e) === cluster);

    it('passes helm lint --strict', () => {
      const result = helmLint(argocdAppsChartDir, { set: { cluster } });
      expect(result.stdout).not.toMatch(/\[ERROR\]/);
      expect(result.status).toBe(0);
    });

    it('renders only objects a strict API server accepts: two projects, the root and its own environment', () => {
      expect(objects.flatMap(validateObject)).toEqual([]);
      expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        [
          `AppProject/${BOOTSTRAP_PROJECT}`,
          'AppProject/devops-app',
          `Application/${ROOT_APPLICATION}`,
          ...mine.map(e => `Application/inference-${e.name}`),
        ].sort(),
      );
      expect(apps.map(a => a.metadata.name)).toEqual([`inference-${cluster}`]);
    });

    it('keeps the root Application in the bootstrap project, rendering this cluster again', () => {
      const spec = specOf(root);
      expect(spec.project).toBe(BOOTSTRAP_PROJECT);
      expect(spec.project).not.toBe('default');
      expect(spec.source.path).toBe('charts/argocd-apps');
      expect(spec.source.targetRevision).toBe('main');
      expect(spec.source.helm.parameters).toEqual([
        { name: 'cluster', value: cluster, forceString: true },
      ]);
      expect(spec.syncPolicy.automated).toEqual({
        prune: true,
        selfHeal: true,
      });
      // Rendering the chart with the root Application's own parameters gives the same objects again.
      const again = renderObjects(argocdAppsChartDir, 'argocd-apps', {
        set: Object.fromEntries(
          spec.source.helm.parameters!.map(p => [p.name, p.value]),
        ),
      });
      expect(again).toEqual(objects);
    });

    it('lets the bootstrap project create only Applications and AppProjects in the argocd namespace', () => {
      expect(
        field(bootstrapProject, 'spec.namespaceResourceWhitelist'),
      ).toEqual([
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ]);
      expect(
        field(bootstrapProject, 'spec.clusterResourceWhitelist'),
      ).toBeUndefined();
      expect(field(bootstrapProject, 'spec.destinations')).toEqual([
        { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      ]);
      expect(field(bootstrapProject, 'spec.sourceRepos')).toEqual([
        specOf(root).source.repoURL,
      ]);
      expect(bootstrapProject.metadata.annotations?.[SYNC_OPTIONS]).toBe(
        'Prune=false,Delete=false',
      );
      for (const object of objects) {
        expect(object.metadata.namespace).toBe('argocd');
      }
    });

    describe.each(mine)(
      'Application inference-$name',
      (environment: AppEnvironment) => {
        const app = apps.find(
          a => a.metadata.name === `inference-${environment.name}`,
        )!;
        const spec = specOf(app);

        it('carries the names and annotations the portal reads', () => {
          expect(app.metadata.namespace).toBe('argocd');
          expect(spec.project).toBe(project.metadata.name);
          expect(project.metadata.name).toBe('devops-app');
          expect(app.metadata.labels).toMatchObject({
            'devops-app.io/service': 'inference-service',
            'devops-app.io/environment': environment.name,
          });
          const valuesFile =
            app.metadata.annotations!['devops-app.io/values-file'];
          expect(valuesFile).toBe(
            environment.name === 'dev'
              ? 'charts/inference/values.yaml'
              : `charts/inference/values-${environment.name}.yaml`,
          );
          expect(fs.existsSync(path.join(repoRoot, valuesFile))).toBe(true);
          expect(app.metadata.annotations).toMatchObject({
            'devops-app.io/rollout': spec.source.helm.releaseName,
            'devops-app.io/colour': environment.colour,
            'devops-app.io/protected': String(environment.protected),
            'devops-app.io/production': String(environment.production),
          });
        });

        it('deploys charts/inference with value files that render this environment into its namespace', () => {
          expect(spec.source.path).toBe('charts/inference');
          expect(spec.destination.namespace).toBe(
            `inference-${environment.name}`,
          );
          const valueFiles = spec.source.helm.valueFiles!;
          expect(valueFiles[valueFiles.length - 1]).toBe(
            `values-${environment.colour}.yaml`,
          );
          for (const file of valueFiles) {
            expect(fs.existsSync(path.join(inferenceChartDir, file))).toBe(
              true,
            );
          }
          // With the identity the portal commits after the storage stack's apply.
          const release = renderObjects(
            inferenceChartDir,
            spec.source.helm.releaseName!,
            {
              valueFiles: [...valueFiles, sandboxIdentityValues],
            },
          );
          expect(
            checkInferenceRelease(release, {
              environment: environment.name,
              colour: environment.colour,
            }),
          ).toEqual([]);
          expect(release.find(o => o.kind === 'Rollout')!.metadata.name).toBe(
            app.metadata.annotations!['devops-app.io/rollout'],
          );
        });

        it('follows a pinned revision in production, the branch otherwise', () => {
          expect(spec.source.targetRevision).toBe(
            environment.targetRevision ?? 'main',
          );
          expect(
            !environment.production || PINNED.test(spec.source.targetRevision),
          ).toBe(true);
        });

        it('survives the removal of its file when protected: no finalizer, never pruned or deleted by the root', () => {
          const metadata = app.metadata as KubeObject['metadata'] & {
            finalizers?: string[];
          };
          expect(metadata.finalizers).toEqual(
            environment.protected ? undefined : [FINALIZER],
          );
          expect(metadata.annotations![SYNC_OPTIONS]).toEqual(
            environment.protected ? 'Prune=false,Delete=false' : undefined,
          );
        });

        it('keeps its workloads when the Application itself is deleted, even with cascade, when protected or production', () => {
          // `argocd app delete` (cascade by default) adds the resources finalizer first; the controller
          // then keeps every object whose Delete option is false, this Application-wide one included.
          expect(
            (spec.syncPolicy.syncOptions ?? []).includes('Delete=false'),
          ).toBe(environment.protected || environment.production);
        });

        it('syncs as the environment file says: automated with self-heal, or by hand', () => {
          const expected =
            environment.sync === 'automated'
              ? { prune: true, selfHeal: true }
              : undefined;
          expect(spec.syncPolicy.automated).toEqual(expected);
          expect(spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
        });

        it('is allowed by the AppProject', () => {
          const destinations = field<{ server: string; namespace: string }[]>(
            project,
            'spec.destinations',
          )!;
          expect(
            destinations.some(
              d =>
                d.server === spec.destination.server &&
                globMatch(d.namespace, spec.destination.namespace),
            ),
          ).toBe(true);
          expect(field<string[]>(project, 'spec.sourceRepos')).toContain(
            spec.source.repoURL,
          );
          const namespaces = field<{ kind: string; name?: string }[]>(
            project,
            'spec.clusterResourceWhitelist',
          )!;
          expect(
            namespaces.some(
              r =>
                r.kind === 'Namespace' &&
                globMatch(r.name ?? '*', spec.destination.namespace),
            ),
          ).toBe(true);
        });
      },
    );
  });

  it('syncs dev automatically with self-heal and prod only by hand, at a pinned revision', () => {
    const dev = specOf(renders.get('dev')!.environments[0]);
    const prod = specOf(renders.get('prod')!.environments[0]);
    expect(dev.syncPolicy.automated?.selfHeal).toBe(true);
    expect(prod.syncPolicy.automated).toBeUndefined();
    expect(prod.source.targetRevision).toMatch(PINNED);
    expect(prod.source.targetRevision).not.toBe('main');
  });

  it('lets the project deploy every kind the inference chart renders, and only those', () => {
    const allowed = field<{ group: string; kind: string }[]>(
      renders.get('dev')!.project,
      'spec.namespaceResourceWhitelist',
    )!
      .map(r => `${r.group}/${r.kind}`)
      .sort();
    const rendered = new Set<string>();
    for (const environment of inferenceEnvironments()) {
      for (const extra of [[], ['ci/training-values.yaml']]) {
        for (const object of renderObjects(inferenceChartDir, 'inference', {
          valueFiles: [...environment.valueFiles, ...extra],
        })) {
          const group = object.apiVersion.includes('/')
            ? object.apiVersion.split('/')[0]
            : '';
          rendered.add(`${group}/${object.kind}`);
        }
      }
    }
    expect(allowed).toEqual([...rendered].sort());
  });

  it('gives the portal role read, sync and the Rollout actions only', () => {
    const roles = field<{ name: string; policies: string[] }[]>(
      renders.get('dev')!.project,
      'spec.roles',
    )!;
    const portal = roles.find(role => role.name === 'portal')!;
    expect(portal.policies.map(p => p.split(', ')[3]).sort()).toEqual([
      'action/argoproj.io/Rollout/*',
      'get',
      'sync',
    ]);
  });

  describe('environment files', () => {
    const chart = copyChart(argocdAppsChartDir);
    afterAll(() => chart.remove());
    const withFile = <T>(file: string, content: string, run: () => T): T => {
      chart.write(`environments/${file}`, content);
      try {
        return run();
      } finally {
        fs.rmSync(path.join(chart.dir, 'environments', file));
      }
    };
    const form = {
      name: 'load-test',
      production: false,
      pinnedRevision: undefined,
    };

    it('a file written by the new-environment template becomes an Application on its own cluster only', () => {
      withFile('load-test.yaml', templateEnvironmentFile(form), () => {
        const loadTest = renderCluster('load-test', chart.dir);
        expect(loadTest.objects.flatMap(validateObject)).toEqual([]);
        expect(loadTest.environments.map(a => a.metadata.name)).toEqual([
          'inference-load-test',
        ]);
        const added = loadTest.environments[0];
        expect(added.metadata.annotations!['devops-app.io/values-file']).toBe(
          'charts/inference/values-load-test.yaml',
        );
        expect(specOf(added).source.helm.valueFiles).toEqual([
          'values-load-test.yaml',
          'values-blue.yaml',
        ]);
        expect(specOf(added).source.targetRevision).toBe('main');
        expect(specOf(added).syncPolicy.automated).toEqual({
          prune: true,
          selfHeal: true,
        });
        expect(specOf(loadTest.root).source.helm.parameters).toEqual([
          { name: 'cluster', value: 'load-test', forceString: true },
        ]);
        // Not protected: removing its file removes it and, through the finalizer, what it deployed.
        expect(added.metadata).toHaveProperty('finalizers', [FINALIZER]);
        expect(added.metadata.annotations).not.toHaveProperty([SYNC_OPTIONS]);
        for (const cluster of clusters) {
          const other = renderCluster(cluster, chart.dir);
          expect(other.environments.map(a => a.metadata.name)).toEqual([
            `inference-${cluster}`,
          ]);
        }
      });
    });

    it('a production-class file from the template pins the revision the form gives, and is refused without one', () => {
      const pinned = templateEnvironmentFile({
        ...form,
        production: true,
        pinnedRevision: 'v2.3.0',
      });
      withFile('load-test.yaml', pinned, () => {
        const app = renderCluster('load-test', chart.dir).environments[0];
        expect(specOf(app).source.targetRevision).toBe('v2.3.0');
        expect(specOf(app).syncPolicy.automated).toBeUndefined();
        expect(app.metadata.annotations!['devops-app.io/production']).toBe(
          'true',
        );
        // The template writes it unprotected, so removing its file prunes the Application, but a
        // production Application never deletes its workloads with itself.
        expect(specOf(app).syncPolicy.syncOptions).toContain('Delete=false');
      });
      withFile(
        'load-test.yaml',
        templateEnvironmentFile({ ...form, production: true }),
        () => {
          const result = helmTemplate(chart.dir, 'argocd-apps', {
            set: { cluster: 'load-test' },
          });
          expect(result.status).not.toBe(0);
          expect(result.stderr).toMatch(
            /environments\/load-test\.yaml: targetRevision: required for a production environment/,
          );
        },
      );
    });

    it('an environment may name another cluster, and is then deployed there and only there', () => {
      withFile(
        'qa.yaml',
        'name: qa\ncolour: green\nsync: manual\nprotected: false\nproduction: false\ncluster: pre-prod\n',
        () => {
          const preProd = renderCluster('pre-prod', chart.dir);
          expect(preProd.objects.flatMap(validateObject)).toEqual([]);
          expect(preProd.environments.map(a => a.metadata.name).sort()).toEqual(
            ['inference-pre-prod', 'inference-qa'],
          );
          expect(
            renderCluster('dev', chart.dir).environments.map(
              a => a.metadata.name,
            ),
          ).toEqual(['inference-dev']);
          const result = helmTemplate(chart.dir, 'argocd-apps', {
            set: { cluster: 'qa' },
          });
          expect(result.stderr).toMatch(
            /cluster: 'qa' is no environment's cluster/,
          );
        },
      );
    });

    const prod = (revision: string) =>
      `name: prod\ncolour: blue\nsync: manual\nprotected: true\nproduction: true\n${revision}`;

    it.each([
      [
        'no targetRevision',
        prod(''),
        /environments\/prod\.yaml: targetRevision: required for a production environment \(production: true\): pin a 40-hex commit SHA or a release tag vX\.Y\.Z/,
      ],
      [
        'an empty targetRevision',
        prod('targetRevision:\n'),
        /environments\/prod\.yaml: targetRevision: required for a production environment/,
      ],
      [
        'the branch main',
        prod('targetRevision: main\n'),
        /environments\/prod\.yaml: targetRevision: 'main' is not pinned; a production environment \(production: true\) follows a 40-hex commit SHA or a release tag vX\.Y\.Z, never a branch/,
      ],
      [
        'HEAD',
        prod('targetRevision: HEAD\n'),
        /targetRevision: 'HEAD' is not pinned/,
      ],
      [
        'a short SHA',
        prod('targetRevision: 9bf65af\n'),
        /targetRevision: '9bf65af' is not pinned/,
      ],
      [
        'a branch-like tag',
        prod('targetRevision: release-1.2\n'),
        /targetRevision: 'release-1.2' is not pinned/,
      ],
    ])(
      'refuses prod with %s, on every cluster, at helm template and helm lint',
      (_, content, message) => {
        withFile('prod.yaml', content, () => {
          for (const cluster of clusters) {
            const result = helmTemplate(chart.dir, 'argocd-apps', {
              set: { cluster },
            });
            expect(result.status).not.toBe(0);
            expect(result.stderr).toMatch(message);
          }
          const lint = helmLint(chart.dir, { set: { cluster: 'prod' } });
          expect(lint.status).not.toBe(0);
          expect(lint.stdout).toMatch(message);
        });
      },
    );

    it.each([
      ['a release tag', 'targetRevision: v1.4.2\n'],
      ['a pre-release tag', 'targetRevision: v1.5.0-rc.1\n'],
      ['a full commit SHA', `targetRevision: ${'9bf65af'.padEnd(40, '0')}\n`],
    ])('accepts prod pinned to %s', (_, revision) => {
      withFile('prod.yaml', prod(revision), () => {
        const app = renderCluster('prod', chart.dir).environments[0];
        expect(specOf(app).source.targetRevision).toMatch(PINNED);
      });
    });

    const file = (extra: string) =>
      `name: qa\ncolour: blue\nsync: manual\nprotected: false\nproduction: false\n${extra}`;
    it.each([
      [
        'Bad.yaml',
        'name: Bad\ncolour: blue\nsync: manual\nprotected: false\nproduction: false\n',
        /environments\/Bad\.yaml: name: .*not a lower-case DNS label/,
      ],
      [
        'qa.yaml',
        file('').replace('name: qa', 'name: uat'),
        /environments\/qa\.yaml: name: .*does not match the file name/,
      ],
      [
        'qa.yaml',
        file('').replace('colour: blue', 'colour: red'),
        /environments\/qa\.yaml: colour: red is not blue or green/,
      ],
      [
        'qa.yaml',
        file('').replace('sync: manual', 'sync: sometimes'),
        /environments\/qa\.yaml: sync: sometimes is not automated or manual/,
      ],
      [
        'qa.yaml',
        file('selfheal: true\n'),
        /environments\/qa\.yaml: selfheal: unknown key/,
      ],
      [
        'qa.yaml',
        file('').replace('protected: false\n', ''),
        /environments\/qa\.yaml: protected: .* is not true or false \(required\)/,
      ],
      [
        'qa.yaml',
        file('').replace('production: false', 'production: "no"'),
        /environments\/qa\.yaml: production: no is not true or false/,
      ],
      [
        'qa.yaml',
        file('cluster: Dev\n'),
        /environments\/qa\.yaml: cluster: 'Dev' is not an environment name/,
      ],
      [
        'qa.yaml',
        file('targetRevision: "main branch"\n'),
        /environments\/qa\.yaml: targetRevision: 'main branch' is not a Git revision/,
      ],
      [
        'qa.yaml',
        file('server: http://10.0.0.1\n'),
        /environments\/qa\.yaml: server: 'http:\/\/10\.0\.0\.1' is not an https URL/,
      ],
    ])('rejects %s containing %j at helm lint', (name, content, message) => {
      withFile(name, content, () => {
        const result = helmLint(chart.dir, { set: { cluster: 'dev' } });
        expect(result.status).not.toBe(0);
        expect(result.stdout).toMatch(message);
      });
    });
  });
});
