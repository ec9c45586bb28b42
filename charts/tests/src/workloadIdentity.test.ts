import fs from 'node:fs';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';
import { copyChart } from './chartCopy';
import {
  ALL_ZERO_CLIENT_ID,
  SANDBOX_CLIENT_ID,
  inferenceEnvironments,
  sandboxIdentityValues,
} from './environments';
import { KubeObject, helmLint, helmTemplate, renderObjects } from './helm';
import { checkInferenceRelease } from './inferenceChecks';
import { Container, field, ofKind } from './kube';
import { inferenceChartDir } from './paths';
import { validateObject } from './validateObject';

const MISSING = /azureWorkloadIdentity: clientId is required/;
const ALL_ZERO =
  /azureWorkloadIdentity\.clientId: Must not validate the schema \(not\)/;

/** The serving pods' ServiceAccount (the training Job has its own: trainingJob.test.ts). */
const servingAccount = (objects: KubeObject[]) =>
  ofKind(objects, 'ServiceAccount').find(
    a => a.metadata.labels?.['app.kubernetes.io/component'] !== 'training',
  )!;
const clientIdAnnotation = (objects: KubeObject[]) =>
  servingAccount(objects).metadata.annotations?.[
    'azure.workload.identity/client-id'
  ];
const containerOf = (object: KubeObject) =>
  field<Container[]>(object, 'spec.template.spec.containers')![0];
const envOf = (object: KubeObject) =>
  new Map((containerOf(object).env ?? []).map(e => [e.name, e.value]));
const configOf = (objects: KubeObject[]) =>
  field<Record<string, string>>(ofKind(objects, 'ConfigMap')[0], 'data')!;

/**
 * What the storage stack of an environment outputs, in the shape the sandbox stack gives it
 * (infra/sandbox/storage: a random GUID for the identity, the account's blob endpoint with its trailing
 * slash), and the values keys the portal commits it under.
 */
function storageOutputs(environment: string, index: number) {
  return {
    clientId: `${SANDBOX_CLIENT_ID.slice(0, -2)}${index
      .toString(16)
      .padStart(2, '0')}`,
    accountUrl: `https://stsandbox${environment.replace(
      /-/g,
      '',
    )}.blob.core.windows.net/`,
    container: `images-${environment}`,
  };
}

describe('charts/inference workload identity', () => {
  const environments = inferenceEnvironments();
  /** An environment's own value files, as Argo CD passes them, without the test identity. */
  const ownFiles = (valueFiles: string[]) =>
    valueFiles.filter(file => file !== sandboxIdentityValues);

  it('has no value file that carries the all-zero client id or renders as local', () => {
    const dir = inferenceChartDir;
    const files = [
      ...fs
        .readdirSync(dir)
        .filter(f => f.endsWith('.yaml') && f.startsWith('values')),
      ...fs.readdirSync(path.join(dir, 'ci')).map(f => `ci/${f}`),
    ];
    expect(files).toEqual(
      expect.arrayContaining([
        'values.yaml',
        'values-pre-prod.yaml',
        'values-prod.yaml',
      ]),
    );
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      expect([file, text.includes(ALL_ZERO_CLIENT_ID)]).toEqual([file, false]);
      expect([file, parse(text)?.local ?? false]).toEqual([file, false]);
    }
  });

  describe.each(environments)('$name', ({ valueFiles }) => {
    const own = ownFiles(valueFiles);

    it('is refused without a client id, at helm template and helm lint, naming the field', () => {
      const template = helmTemplate(inferenceChartDir, 'inference', {
        valueFiles: own,
      });
      expect(template.status).not.toBe(0);
      expect(template.stderr).toMatch(MISSING);
      const lint = helmLint(inferenceChartDir, { valueFiles: own });
      expect(lint.status).not.toBe(0);
      expect(lint.stdout).toMatch(MISSING);
    });

    it('is refused with the all-zero client id', () => {
      const result = helmTemplate(inferenceChartDir, 'inference', {
        valueFiles: own,
        set: { 'azureWorkloadIdentity.clientId': ALL_ZERO_CLIENT_ID },
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(ALL_ZERO);
      const lint = helmLint(inferenceChartDir, {
        valueFiles: own,
        set: { 'azureWorkloadIdentity.clientId': ALL_ZERO_CLIENT_ID },
      });
      expect(lint.status).not.toBe(0);
      expect(lint.stdout).toMatch(ALL_ZERO);
    });

    it('is refused with a client id that is no GUID', () => {
      const result = helmTemplate(inferenceChartDir, 'inference', {
        valueFiles: own,
        set: { 'azureWorkloadIdentity.clientId': 'inference-identity' },
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(
        /azureWorkloadIdentity\.clientId: Does not match pattern/,
      );
    });

    it('renders locally (local=true) without a client id, or with the all-zero one', () => {
      const without = renderObjects(inferenceChartDir, 'inference', {
        valueFiles: own,
        set: { local: 'true' },
      });
      expect(without.flatMap(validateObject)).toEqual([]);
      expect(clientIdAnnotation(without)).toBeUndefined();
      expect(envOf(ofKind(without, 'Rollout')[0]).has('AZURE_CLIENT_ID')).toBe(
        false,
      );
      const zero = renderObjects(inferenceChartDir, 'inference', {
        valueFiles: own,
        set: {
          local: 'true',
          'azureWorkloadIdentity.clientId': ALL_ZERO_CLIENT_ID,
        },
      });
      expect(clientIdAnnotation(zero)).toBe(ALL_ZERO_CLIENT_ID);
    });

    it('needs no client id without workload identity (a connection string instead)', () => {
      const objects = renderObjects(inferenceChartDir, 'inference', {
        valueFiles: [...own, 'ci/connection-string-values.yaml'],
      });
      expect(objects.flatMap(validateObject)).toEqual([]);
      expect(clientIdAnnotation(objects)).toBeUndefined();
      expect(envOf(ofKind(objects, 'Rollout')[0]).has('AZURE_CLIENT_ID')).toBe(
        false,
      );
    });
  });

  describe.each(
    environments.map((environment, index) => ({ ...environment, index })),
  )(
    '$name, once the portal committed the storage stack outputs into its values file',
    ({ name, valueFiles, index }) => {
      const chart = copyChart(inferenceChartDir);
      afterAll(() => chart.remove());
      const own = ownFiles(valueFiles);
      const file = own[0] ?? 'values.yaml';
      const outputs = storageOutputs(name, index);
      // The writer's edit: set the three keys in the environment's own file, keeping everything else.
      const document = parseDocument(
        fs.readFileSync(path.join(chart.dir, file), 'utf8'),
      );
      document.setIn(['azureWorkloadIdentity', 'clientId'], outputs.clientId);
      document.setIn(['storage', 'accountUrl'], outputs.accountUrl);
      document.setIn(['storage', 'container'], outputs.container);
      chart.write(file, document.toString());
      // Exactly the value files the environment's Argo CD Application passes.
      const argoValueFiles = [...own, 'values-blue.yaml'];

      it('lints, and renders valid objects wired for blue/green', () => {
        const lint = helmLint(chart.dir, { valueFiles: argoValueFiles });
        expect(lint.stdout).not.toMatch(/\[ERROR\]/);
        expect(lint.status).toBe(0);
        const objects = renderObjects(chart.dir, 'inference', {
          valueFiles: argoValueFiles,
        });
        expect(objects.flatMap(validateObject)).toEqual([]);
        expect(
          checkInferenceRelease(objects, {
            environment: name,
            colour: 'blue',
            blobContainer: outputs.container,
          }),
        ).toEqual([]);
      });

      it('renders them into the ServiceAccount, the pods and the shared config', () => {
        const objects = renderObjects(chart.dir, 'inference', {
          valueFiles: [...argoValueFiles, 'ci/training-values.yaml'],
        });
        expect(clientIdAnnotation(objects)).toBe(outputs.clientId);
        const config = configOf(objects);
        expect(config.AZURE_STORAGE_ACCOUNT_URL).toBe(outputs.accountUrl);
        expect(config.BLOB_CONTAINER).toBe(outputs.container);
        const configMap = ofKind(objects, 'ConfigMap')[0].metadata.name;
        for (const workload of ofKind(objects, 'Rollout')) {
          expect([
            workload.kind,
            envOf(workload).get('AZURE_CLIENT_ID'),
          ]).toEqual([workload.kind, outputs.clientId]);
          expect(
            field<Record<string, string>>(
              workload,
              'spec.template.metadata.labels',
            )!['azure.workload.identity/use'],
          ).toBe('true');
          expect(
            field<string>(workload, 'spec.template.spec.serviceAccountName'),
          ).toBe(servingAccount(objects).metadata.name);
        }
        const rollout = ofKind(objects, 'Rollout')[0];
        expect(containerOf(rollout).envFrom).toEqual([
          { configMapRef: { name: configMap } },
        ]);
      });
    },
  );
});
