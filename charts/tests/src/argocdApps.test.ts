import fs from 'node:fs';
import path from 'node:path';
import { copyChart } from './chartCopy';
import { argocdEnvironments, inferenceEnvironments } from './environments';
import { KubeObject, helmLint, renderObjects } from './helm';
import { checkInferenceRelease } from './inferenceChecks';
import { field, ofKind } from './kube';
import { argocdAppsChartDir, inferenceChartDir, repoRoot } from './paths';
import { validateObject } from './validateObject';

interface ApplicationSpec {
  project: string;
  source: { repoURL: string; path: string; helm: { releaseName: string; valueFiles: string[] } };
  destination: { server: string; namespace: string };
  syncPolicy: { automated?: { prune?: boolean; selfHeal?: boolean }; syncOptions?: string[] };
}

const globMatch = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

describe('charts/argocd-apps', () => {
  const objects = renderObjects(argocdAppsChartDir, 'argocd-apps');
  const project = ofKind(objects, 'AppProject')[0];
  const applications = ofKind(objects, 'Application').filter(app => app.metadata.name.startsWith('inference-'));
  const specOf = (app: KubeObject) => app.spec as unknown as ApplicationSpec;
  const environments = argocdEnvironments();

  it('passes helm lint --strict', () => {
    const result = helmLint(argocdAppsChartDir);
    expect(result.stdout).not.toMatch(/\[ERROR\]/);
    expect(result.status).toBe(0);
  });

  it('renders only objects a strict API server accepts', () => {
    expect(objects.flatMap(validateObject)).toEqual([]);
    expect(objects.map(o => o.kind).sort()).toEqual(
      ['AppProject', ...Array(environments.length + 1).fill('Application')].sort(),
    );
  });

  it('has one Application per environment of the inference chart, and no other', () => {
    expect(environments.map(e => e.name).sort()).toEqual(inferenceEnvironments().map(e => e.name).sort());
    expect(applications.map(app => app.metadata.name).sort()).toEqual(
      environments.map(e => `inference-${e.name}`).sort(),
    );
  });

  describe.each(argocdEnvironments())('Application inference-$name', environment => {
    const app = applications.find(a => a.metadata.name === `inference-${environment.name}`)!;
    const spec = specOf(app);

    it('carries the names and annotations the portal reads', () => {
      expect(app.metadata.namespace).toBe('argocd');
      expect(spec.project).toBe(project.metadata.name);
      expect(project.metadata.name).toBe('devops-app');
      expect(app.metadata.labels).toMatchObject({
        'devops-app.io/service': 'inference-service',
        'devops-app.io/environment': environment.name,
      });
      const valuesFile = app.metadata.annotations!['devops-app.io/values-file'];
      expect(valuesFile).toBe(
        environment.name === 'dev' ? 'charts/inference/values.yaml' : `charts/inference/values-${environment.name}.yaml`,
      );
      expect(fs.existsSync(path.join(repoRoot, valuesFile))).toBe(true);
      expect(app.metadata.annotations!['devops-app.io/rollout']).toBe(spec.source.helm.releaseName);
    });

    it('deploys charts/inference with value files that render this environment into its namespace', () => {
      expect(spec.source.path).toBe('charts/inference');
      expect(spec.destination.namespace).toBe(`inference-${environment.name}`);
      const valueFiles = spec.source.helm.valueFiles;
      expect(valueFiles[valueFiles.length - 1]).toBe(`values-${environment.colour}.yaml`);
      for (const file of valueFiles) {
        expect(fs.existsSync(path.join(inferenceChartDir, file))).toBe(true);
      }
      const release = renderObjects(inferenceChartDir, spec.source.helm.releaseName, { valueFiles });
      expect(checkInferenceRelease(release, { environment: environment.name, colour: environment.colour })).toEqual([]);
      expect(release.find(o => o.kind === 'Rollout')!.metadata.name).toBe(app.metadata.annotations!['devops-app.io/rollout']);
    });

    it('syncs as the environment file says: automated with self-heal, or by hand', () => {
      const expected = environment.sync === 'automated' ? { prune: true, selfHeal: true } : undefined;
      expect(spec.syncPolicy.automated).toEqual(expected);
      expect(spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    });

    it('is allowed by the AppProject', () => {
      const destinations = field<{ server: string; namespace: string }[]>(project, 'spec.destinations')!;
      expect(destinations.some(d => d.server === spec.destination.server && globMatch(d.namespace, spec.destination.namespace))).toBe(true);
      expect(field<string[]>(project, 'spec.sourceRepos')).toContain(spec.source.repoURL);
      const namespaces = field<{ kind: string; name?: string }[]>(project, 'spec.clusterResourceWhitelist')!;
      expect(namespaces.some(r => r.kind === 'Namespace' && globMatch(r.name ?? '*', spec.destination.namespace))).toBe(true);
    });
  });

  it('syncs dev automatically with self-heal and prod only by hand', () => {
    expect(specOf(applications.find(a => a.metadata.name === 'inference-dev')!).syncPolicy.automated?.selfHeal).toBe(true);
    expect(specOf(applications.find(a => a.metadata.name === 'inference-prod')!).syncPolicy.automated).toBeUndefined();
  });

  it('lets the project deploy every kind the inference chart renders, and only those', () => {
    const allowed = field<{ group: string; kind: string }[]>(project, 'spec.namespaceResourceWhitelist')!
      .map(r => `${r.group}/${r.kind}`)
      .sort();
    const rendered = new Set<string>();
    for (const environment of inferenceEnvironments()) {
      for (const extra of [[], ['ci/training-values.yaml']]) {
        for (const object of renderObjects(inferenceChartDir, 'inference', { valueFiles: [...environment.valueFiles, ...extra] })) {
          const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
          rendered.add(`${group}/${object.kind}`);
        }
      }
    }
    expect(allowed).toEqual([...rendered].sort());
  });

  it('gives the portal role read, sync and the Rollout actions only', () => {
    const roles = field<{ name: string; policies: string[] }[]>(project, 'spec.roles')!;
    const portal = roles.find(role => role.name === 'portal')!;
    expect(portal.policies.map(p => p.split(', ')[3]).sort()).toEqual(
      ['action/argoproj.io/Rollout/*', 'get', 'sync'],
    );
  });

  describe('environment files', () => {
    const chart = copyChart(argocdAppsChartDir);
    afterAll(() => chart.remove());

    it('a new environments/<env>.yaml becomes an Application', () => {
      chart.write('environments/load-test.yaml', 'name: load-test\ncolour: green\nsync: manual\n');
      const apps = renderObjects(chart.dir, 'argocd-apps').filter(o => o.kind === 'Application');
      const added = apps.find(a => a.metadata.name === 'inference-load-test')!;
      expect(added.metadata.annotations!['devops-app.io/values-file']).toBe('charts/inference/values-load-test.yaml');
      expect(specOf(added).source.helm.valueFiles).toEqual(['values-load-test.yaml', 'values-green.yaml']);
      fs.rmSync(path.join(chart.dir, 'environments/load-test.yaml'));
    });

    it.each([
      ['Bad.yaml', 'name: Bad\ncolour: blue\nsync: manual\n', /environments\/Bad\.yaml: name: .*not a lower-case DNS label/],
      ['qa.yaml', 'name: uat\ncolour: blue\nsync: manual\n', /environments\/qa\.yaml: name: .*does not match the file name/],
      ['qa.yaml', 'name: qa\ncolour: red\nsync: manual\n', /environments\/qa\.yaml: colour: red is not blue or green/],
      ['qa.yaml', 'name: qa\ncolour: blue\nsync: sometimes\n', /environments\/qa\.yaml: sync: sometimes is not automated or manual/],
      ['qa.yaml', 'name: qa\ncolour: blue\nsync: manual\nselfheal: true\n', /environments\/qa\.yaml: selfheal: unknown key/],
    ])('rejects %s containing %j at helm lint', (file, content, message) => {
      chart.write(`environments/${file}`, content);
      try {
        const result = helmLint(chart.dir);
        expect(result.status).not.toBe(0);
        expect(result.stdout).toMatch(message);
      } finally {
        fs.rmSync(path.join(chart.dir, 'environments', file));
      }
    });
  });
});
