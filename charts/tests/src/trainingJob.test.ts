import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SANDBOX_CLIENT_ID, sandboxIdentityValues } from './environments';
import { helmTemplate, KubeObject, renderObjects } from './helm';
import { Container, field, ofKind } from './kube';
import { inferenceChartDir, repoRoot } from './paths';

// The training Job of charts/inference: the program it runs must be in the training image's build
// output, and it runs as its own identity, the one the storage stack scopes to the models container.
const serviceDir = path.join(repoRoot, 'services', 'inference');
const trainingValues = 'ci/training-values.yaml';
const TRAINING_CLIENT_ID = '9b2d4f61-3c7e-4a85-b0d2-6e1f8a4c7b35';

/**
 * What the training image runs, from its Dockerfile's last stage: the final WORKDIR, the exec-form
 * CMD, and where each `COPY --from=build /repo/<path> <dest>` puts the build stage's files.
 */
function trainingImage() {
  const text = fs.readFileSync(
    path.join(serviceDir, 'Dockerfile.training'),
    'utf8',
  );
  const runtime = text.split(/^FROM /m).pop()!;
  let workdir = '/';
  const fromBuild: Array<{ repoPath: string; imagePath: string }> = [];
  for (const [, instruction, rest] of runtime.matchAll(
    /^(WORKDIR|COPY) (.+)$/gm,
  )) {
    if (instruction === 'WORKDIR') {
      workdir = path.posix.resolve(workdir, rest.trim());
      continue;
    }
    const copy = /^--from=build \/repo\/(\S+) (\S+)$/.exec(rest.trim());
    if (copy) {
      fromBuild.push({
        repoPath: copy[1],
        imagePath: path.posix.resolve(workdir, copy[2]),
      });
    }
  }
  const cmd = /^CMD (\[.*\])$/m.exec(runtime);
  return {
    workdir,
    fromBuild,
    cmd: cmd ? (JSON.parse(cmd[1]) as string[]) : [],
  };
}

/** The repository path a file of the image comes from, when it comes from the build stage. */
function buildOutputPath(imagePath: string): string | undefined {
  for (const { repoPath, imagePath: dest } of trainingImage().fromBuild) {
    if (imagePath === dest || imagePath.startsWith(`${dest}/`)) {
      return path.posix.join(repoPath, imagePath.slice(dest.length));
    }
  }
  return undefined;
}

/**
 * The files `tsc -p services/inference/tsconfig.build.json` emits (the build stage's `yarn build`), as
 * repository paths under services/inference/dist. Built into a temporary outDir, so the service's own
 * dist/ is left alone.
 */
function emittedFiles(): Set<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'training-build-'));
  try {
    const tsc = spawnSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        outDir,
        '--tsBuildInfoFile',
        path.join(outDir, '.tsbuildinfo'),
        '--sourceMap',
        'false',
        '--listEmittedFiles',
      ],
      { cwd: serviceDir, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (tsc.status !== 0) {
      throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    }
    return new Set(
      [...tsc.stdout.matchAll(/^TSFILE: (.+)$/gm)].map(
        ([, file]) =>
          `services/inference/dist/${path
            .relative(outDir, file.trim())
            .split(path.sep)
            .join('/')}`,
      ),
    );
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

const render = (
  set: Record<string, string> = {},
  valueFiles = [trainingValues],
) =>
  renderObjects(inferenceChartDir, 'inference', {
    valueFiles: [sandboxIdentityValues, ...valueFiles],
    set,
  });
const jobOf = (objects: KubeObject[]) => {
  const jobs = ofKind(objects, 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const containerOf = (job: KubeObject) =>
  field<Container[]>(job, 'spec.template.spec.containers')![0];

/** What the Job's container runs: its command and args, or the image's CMD when it sets no command. */
function commandLine(job: KubeObject): string[] {
  const container = containerOf(job) as Container & {
    command?: string[];
    args?: string[];
  };
  return container.command?.length
    ? [...container.command, ...(container.args ?? [])]
    : [...trainingImage().cmd, ...(container.args ?? [])];
}

describe('the training Job', () => {
  let emitted: Set<string>;

  beforeAll(() => {
    emitted = emittedFiles();
  });

  it.each([
    ['the ci values (command node dist/train.js)', {}],
    ["the default values (the image's CMD)", { 'training.command': 'null' }],
  ])('rendered with %s runs a script the image build emits', (_name, set) => {
    const job = jobOf(render(set));
    const image = trainingImage();
    const line = commandLine(job);
    expect(line[0]).toBe('node');
    const script = line.find(arg => arg.endsWith('.js'));
    expect(script).toBeDefined();
    const source = buildOutputPath(path.posix.resolve(image.workdir, script!));
    expect(source).toBe('services/inference/dist/train.js');
    expect([source, emitted.has(source!)]).toEqual([source, true]);
    // The image itself is the training image, from the chart's registry.
    expect(containerOf(job).image).toBe(
      'devopsapp.azurecr.io/inference-training:0.1.0',
    );
  });

  it('would catch a command the build does not emit', () => {
    const job = jobOf(render({ 'training.command[1]': 'dist/training.js' }));
    const script = commandLine(job).find(arg => arg.endsWith('.js'))!;
    const source = buildOutputPath(
      path.posix.resolve(trainingImage().workdir, script),
    );
    expect(emitted.has(source!)).toBe(false);
  });

  it('runs as its own ServiceAccount, federated with the training identity, created before it', () => {
    const objects = render();
    const job = jobOf(objects);
    const accountName = field<string>(
      job,
      'spec.template.spec.serviceAccountName',
    );
    // The storage stack federates the training identity with this name (its default).
    const terraform = fs.readFileSync(
      path.join(repoRoot, 'infra', 'stacks', 'storage', 'variables.tf'),
      'utf8',
    );
    expect(terraform).toMatch(
      new RegExp(
        `variable "training_service_account" \\{[^}]*default\\s*=\\s*"${accountName}"`,
      ),
    );
    const account = ofKind(objects, 'ServiceAccount').find(
      a => a.metadata.name === accountName,
    )!;
    expect(account.metadata.annotations).toMatchObject({
      'azure.workload.identity/client-id': TRAINING_CLIENT_ID,
    });
    expect(
      Number(account.metadata.annotations!['argocd.argoproj.io/sync-wave']),
    ).toBeLessThan(
      Number(job.metadata.annotations!['argocd.argoproj.io/sync-wave']),
    );

    const env = containerOf(job).env ?? [];
    const values = new Map(env.map(e => [e.name, e.value]));
    expect(env.map(e => e.name).filter(n => n === 'AZURE_CLIENT_ID')).toEqual([
      'AZURE_CLIENT_ID',
    ]);
    expect(values.get('AZURE_CLIENT_ID')).toBe(TRAINING_CLIENT_ID);
    expect(values.get('AZURE_CLIENT_ID')).not.toBe(SANDBOX_CLIENT_ID);
    expect(values.get('MODEL_CONTAINER')).toBe('models');
    expect(values.get('MODEL_VERSION')).toBe('edge-v1');
    expect(
      field<Record<string, string>>(job, 'spec.template.metadata.labels')![
        'azure.workload.identity/use'
      ],
    ).toBe('true');

    // The serving pods keep the inference identity, which may only read models.
    const rollout = ofKind(objects, 'Rollout')[0];
    expect(
      field<string>(rollout, 'spec.template.spec.serviceAccountName'),
    ).not.toBe(accountName);
  });

  it.each([
    [
      'without a training identity',
      { 'training.identity': 'null' },
      /training\.identity\.clientId is required with training\.enabled/,
    ],
    [
      'with the all-zero client id',
      {
        'training.identity.clientId': '00000000-0000-0000-0000-000000000000',
      },
      /training\.identity\.clientId/,
    ],
    [
      'with a field the identity does not have',
      { 'training.identity.objectId': TRAINING_CLIENT_ID },
      /objectId/,
    ],
    [
      'with a full image reference as the repository',
      {
        'training.image.repository': 'devopsapp.azurecr.io/inference-training',
      },
      /training\.image\.repository/,
    ],
  ])('refuses to render %s', (_name, set, message) => {
    const result = helmTemplate(inferenceChartDir, 'inference', {
      valueFiles: [sandboxIdentityValues, trainingValues],
      set,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
