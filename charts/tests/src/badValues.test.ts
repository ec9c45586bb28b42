import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyChart } from './chartCopy';
import { inferenceEnvironments, sandboxIdentityValues } from './environments';
import { helmLint, helmTemplate, renderObjects } from './helm';
import { checkInferenceRelease } from './inferenceChecks';
import { inferenceChartDir } from './paths';
import { validateObject } from './validateObject';

describe('charts/inference rejects bad values at helm lint', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-values-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lintWith = (name: string, content: string) => {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, content);
    const result = helmLint(inferenceChartDir, {
      valueFiles: [sandboxIdentityValues, file],
    });
    return { status: result.status, output: result.stdout + result.stderr };
  };

  it.each([
    [
      'a negative replica count',
      'replicaCount: -1\n',
      /replicaCount: Must be greater than or equal to 0/,
    ],
    [
      'an image tag with spaces',
      'image:\n  tag: "1.2 beta"\n',
      /image\.tag: Does not match pattern/,
    ],
    [
      'an image tag with a shell character',
      'image:\n  tag: "1.2;rm"\n',
      /image\.tag: Does not match pattern/,
    ],
    [
      'an environment name in capitals',
      'environment: Prod\n',
      /environment: Does not match pattern/,
    ],
    [
      'an unknown environment',
      'environment: staging\n',
      /environment: 'staging' is not a known environment \(known: dev, pre-prod, prod\)/,
    ],
    [
      'a colour overlay used as an environment',
      'environment: green\n',
      /environment: 'green' is not a known environment/,
    ],
    [
      'an unknown colour',
      'rollout:\n  colour: purple\n',
      /rollout\.colour: .*must be one of/,
    ],
    [
      'a misspelled key',
      'rollout:\n  autoPromotionEnabeld: false\n',
      /rollout: Additional property autoPromotionEnabeld is not allowed/,
    ],
    [
      'an error-ratio threshold above 1',
      'analysis:\n  maxErrorRatio: 5\n',
      /analysis\.maxErrorRatio: Must be less than or equal to 1/,
    ],
    [
      'no minimum request count',
      'analysis:\n  minRequests: 0\n',
      /analysis\.minRequests: Must be greater than or equal to 1/,
    ],
    [
      'a misspelled smoke-traffic key',
      'analysis:\n  smokeTraffic:\n    second: 10\n',
      /analysis\.smokeTraffic: Additional property second is not allowed/,
    ],
    [
      'an unknown CNI',
      'networkPolicy:\n  cni: calico\n',
      /networkPolicy\.cni: .*must be one of/,
    ],
    [
      'a registry given as a URL',
      'image:\n  registry: https://devopsapp.azurecr.io\n',
      /image\.registry: Does not match pattern/,
    ],
    [
      'a registry with a path',
      'image:\n  registry: devopsapp.azurecr.io/team\n',
      /image\.registry: Does not match pattern/,
    ],
    [
      'a registry host in the repository',
      'image:\n  repository: devopsapp.azurecr.io/inference\n',
      /image\.repository: Does not match pattern/,
    ],
    [
      'no registry',
      'image:\n  registry: null\n',
      /image: registry is required/,
    ],
  ])('%s', (_, values, message) => {
    const { status, output } = lintWith(_.replace(/\W+/g, '-'), values);
    expect(status).not.toBe(0);
    expect(output).toMatch(message);
  });

  it('accepts the same files without the bad value', () => {
    const { status, output } = lintWith(
      'fine',
      'replicaCount: 1\nimage:\n  tag: "1.2-beta"\n',
    );
    expect(output).not.toMatch(/\[ERROR\]/);
    expect(status).toBe(0);
  });
});

describe('charts/inference environments are extended by writing a values file', () => {
  const chart = copyChart(inferenceChartDir);
  afterAll(() => chart.remove());

  it('knows a new environment once values-<env>.yaml declares it', () => {
    const before = helmLint(chart.dir, {
      valueFiles: [sandboxIdentityValues],
      set: { environment: 'load-test' },
    });
    expect(before.status).not.toBe(0);
    expect(before.stdout).toMatch(
      /environment: 'load-test' is not a known environment/,
    );

    chart.write(
      'values-load-test.yaml',
      'environment: load-test\nnamespace: inference-load-test\nimage:\n  tag: "2.0.0"\n',
    );
    const valueFiles = ['values-load-test.yaml', sandboxIdentityValues];
    const after = helmLint(chart.dir, { valueFiles });
    expect(after.stdout).not.toMatch(/\[ERROR\]/);
    expect(after.status).toBe(0);
    const objects = renderObjects(chart.dir, 'inference', { valueFiles });
    expect(objects.flatMap(validateObject)).toEqual([]);
    expect(
      checkInferenceRelease(objects, { environment: 'load-test' }),
    ).toEqual([]);
    expect(inferenceEnvironments(chart.dir).map(e => e.name)).toContain(
      'load-test',
    );
  });

  it('does not take a values file that declares another environment', () => {
    chart.write(
      'values-qa.yaml',
      'environment: pre-prod\nnamespace: inference-qa\n',
    );
    const result = helmTemplate(chart.dir, 'inference', {
      valueFiles: [sandboxIdentityValues],
      set: { environment: 'qa' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /environment: 'qa' is not a known environment/,
    );
  });
});
