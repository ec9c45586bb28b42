import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  colours,
  inferenceEnvironments,
  sandboxIdentityValues,
} from './environments';
import { analysisMetrics } from './analysisGate';
import { helmLint, renderObjects } from './helm';
import { field } from './kube';
import { checkInferenceRelease } from './inferenceChecks';
import { inferenceChartDir } from './paths';
import { validateObject } from './validateObject';

const environments = inferenceEnvironments();
const cases = environments.flatMap(environment =>
  [undefined, ...colours].map(colour => ({
    environment: environment.name,
    colour,
    overlay: colour ? `values-${colour}.yaml` : 'no colour overlay',
    valueFiles: [
      ...environment.valueFiles,
      ...(colour ? [`values-${colour}.yaml`] : []),
    ],
  })),
);
const ciValueFiles = fs
  .readdirSync(path.join(inferenceChartDir, 'ci'))
  .filter(file => file.endsWith('-values.yaml'))
  .map(file => `ci/${file}`);
/** The CNI a ci/ file renders for: its `networkPolicy.cni`, else the chart's (cilium). */
const cniOf = (ciFile: string) =>
  (
    parse(fs.readFileSync(path.join(inferenceChartDir, ciFile), 'utf8')) as {
      networkPolicy?: { cni?: 'cilium' | 'generic' };
    }
  ).networkPolicy?.cni ?? 'cilium';

describe('charts/inference', () => {
  it('knows the project environments from its values files', () => {
    expect(environments.map(environment => environment.name)).toEqual(
      expect.arrayContaining(['dev', 'pre-prod', 'prod']),
    );
  });

  describe.each(cases)(
    '$environment with $overlay',
    ({ environment, colour, valueFiles }) => {
      it('passes helm lint --strict', () => {
        const result = helmLint(inferenceChartDir, { valueFiles });
        expect(result.stderr + result.stdout).not.toMatch(/\[ERROR\]/);
        expect(result.status).toBe(0);
      });

      it('renders only objects a strict API server accepts, wired for blue/green', () => {
        const objects = renderObjects(inferenceChartDir, 'inference', {
          valueFiles,
        });
        expect(objects.flatMap(validateObject)).toEqual([]);
        expect(checkInferenceRelease(objects, { environment, colour })).toEqual(
          [],
        );
      });
    },
  );

  describe.each(
    environments.flatMap(environment =>
      ciValueFiles.map(ciFile => ({
        environment: environment.name,
        ciFile,
        valueFiles: [...environment.valueFiles, ciFile],
      })),
    ),
  )('$environment with $ciFile', ({ environment, ciFile, valueFiles }) => {
    it('lints and renders valid, wired objects', () => {
      const lint = helmLint(inferenceChartDir, { valueFiles });
      expect(lint.stdout).not.toMatch(/\[ERROR\]/);
      expect(lint.status).toBe(0);
      const objects = renderObjects(inferenceChartDir, 'inference', {
        valueFiles,
      });
      expect(objects.flatMap(validateObject)).toEqual([]);
      expect(
        checkInferenceRelease(objects, { environment, cni: cniOf(ciFile) }),
      ).toEqual([]);
    });
  });

  it('renders the training Job only when enabled, outside the Services', () => {
    const without = renderObjects(inferenceChartDir, 'inference', {
      valueFiles: [sandboxIdentityValues],
    });
    expect(without.filter(object => object.kind === 'Job')).toEqual([]);
    const withTraining = renderObjects(inferenceChartDir, 'inference', {
      valueFiles: [sandboxIdentityValues, 'ci/training-values.yaml'],
    });
    const jobs = withTraining.filter(object => object.kind === 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.labels?.['app.kubernetes.io/component']).toBe(
      'training',
    );
  });

  it("pulls every image from image.registry, the cluster stack's acr_login_server output", () => {
    // The login server infra/stacks/cluster outputs for an environment's registry (acr<name>.azurecr.io).
    const registry = 'acrdevopsappprod.azurecr.io';
    const objects = renderObjects(inferenceChartDir, 'inference', {
      valueFiles: ['values-prod.yaml', sandboxIdentityValues],
      set: { 'image.registry': registry },
    });
    const rolloutImage = field<{ containers: { image: string }[] }>(
      objects.find(object => object.kind === 'Rollout'),
      'spec.template.spec',
    )!.containers[0].image;
    const smokeImage = analysisMetrics(objects).find(m => m.provider.job)!
      .provider.job!.spec as {
      template: { spec: { containers: { image: string }[] } };
    };
    expect(rolloutImage).toBe(`${registry}/inference:0.1.0`);
    expect(smokeImage.template.spec.containers[0].image).toBe(rolloutImage);
    expect(checkInferenceRelease(objects, { environment: 'prod' })).toEqual([]);
  });

  it('renders the CiliumNetworkPolicy for the Datadog agent only on Cilium', () => {
    const kinds = (valueFiles: string[]) =>
      renderObjects(inferenceChartDir, 'inference', { valueFiles }).map(
        object => object.kind,
      );
    expect(kinds([sandboxIdentityValues])).toContain('CiliumNetworkPolicy');
    expect(
      kinds([sandboxIdentityValues, 'ci/generic-cni-values.yaml']),
    ).not.toContain('CiliumNetworkPolicy');
  });

  it('makes a new revision per colour, so switching the overlay starts a blue/green rollout', () => {
    const podTemplate = (colour: string) =>
      JSON.stringify(
        (
          renderObjects(inferenceChartDir, 'inference', {
            valueFiles: [sandboxIdentityValues, `values-${colour}.yaml`],
          }).find(object => object.kind === 'Rollout')!.spec as {
            template: unknown;
          }
        ).template,
      );
    expect(podTemplate('blue')).not.toEqual(podTemplate('green'));
  });
});
