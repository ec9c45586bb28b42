import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { buildService } from './launch/serviceProcess';
import { packageDir } from './local/paths';

// No Docker engine runs here: instead, the images' runtime stages are read and every path they copy
// from the build stage, and the script their CMD runs, must exist in the build output (`yarn build`,
// the same tsc -p tsconfig.build.json the build stage runs).
jest.setTimeout(120_000);

const repoRoot = resolve(packageDir(), '..', '..');

interface RuntimeStage {
  /** [stage copied from, source in that stage, destination in the image (absolute)]. */
  copies: Array<[string, string, string]>;
  workdir: string;
  cmd: string[];
}

/** The last stage of a Dockerfile: its COPY --from lines, final WORKDIR and exec-form CMD. */
function runtimeStage(dockerfile: string): RuntimeStage {
  const lines = readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim());
  const lastFrom = lines.map(l => /^FROM\s/i.test(l)).lastIndexOf(true);
  const stage: RuntimeStage = { copies: [], workdir: '/', cmd: [] };
  for (const line of lines.slice(lastFrom + 1)) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (/^WORKDIR$/i.test(instruction)) {
      stage.workdir = posix.resolve(stage.workdir, rest[0]);
    } else if (/^COPY$/i.test(instruction) && rest[0]?.startsWith('--from=')) {
      stage.copies.push([
        rest[0].slice('--from='.length),
        rest[1],
        posix.resolve(stage.workdir, rest[2]),
      ]);
    } else if (/^CMD$/i.test(instruction)) {
      stage.cmd = JSON.parse(rest.join(' '));
    }
  }
  return stage;
}

/** Where an image path comes from in the build stage's /repo, through the COPY lines. */
function sourceOf(stage: RuntimeStage, imagePath: string): string | undefined {
  for (const [, source, destination] of stage.copies) {
    if (imagePath === destination || imagePath.startsWith(`${destination}/`)) {
      return posix.join(source, imagePath.slice(destination.length));
    }
  }
  return undefined;
}

/** /repo/<path> of the build stage, in this checkout. */
const inCheckout = (repoPath: string) =>
  join(repoRoot, posix.relative('/repo', repoPath));

describe.each([
  ['Dockerfile', 'dist/main.js'],
  ['Dockerfile.training', 'dist/train.js'],
])('services/inference/%s', (file, script) => {
  const dockerfile = join(packageDir(), file);

  beforeAll(async () => {
    await buildService();
  });

  it('has its own .dockerignore that keeps dist/ and node_modules/ out of the context', () => {
    const ignore = readFileSync(`${dockerfile}.dockerignore`, 'utf8');
    expect(ignore.split('\n')).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist']),
    );
  });

  it(`runs ${script}, which the build output has`, () => {
    const stage = runtimeStage(dockerfile);
    expect(stage.cmd[0]).toBe('node');
    expect(stage.cmd[stage.cmd.length - 1]).toBe(script);
    const source = sourceOf(stage, posix.resolve(stage.workdir, script));
    expect(source).toBe(`/repo/services/inference/${script}`);
    expect(statSync(inCheckout(source!)).isFile()).toBe(true);
  });

  it('copies from the build stage only paths its build has', () => {
    const stage = runtimeStage(dockerfile);
    const fromBuild = stage.copies.filter(([from]) => from === 'build');
    expect(fromBuild.map(([, source]) => source)).toEqual(
      expect.arrayContaining([
        '/repo/services/inference/package.json',
        '/repo/services/inference/dist',
      ]),
    );
    for (const [, source] of fromBuild) {
      expect([source, existsSync(inCheckout(source))]).toEqual([source, true]);
    }
  });
});
