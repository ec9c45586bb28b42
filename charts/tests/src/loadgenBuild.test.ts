import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { analysisMetrics } from './analysisGate';
import { sandboxIdentityValues } from './environments';
import { renderObjects } from './helm';
import { repoRoot } from './paths';
import { LOADGEN_COMMAND } from './trafficChecks';

const serviceDir = path.join(repoRoot, 'services', 'inference');

/** The working directory of the image's last stage and where the build's dist/ lands in it. */
function runtimeLayout() {
  const dockerfile = fs.readFileSync(
    path.join(serviceDir, 'Dockerfile'),
    'utf8',
  );
  const stages = dockerfile.split(/^FROM /m);
  const runtime = stages[stages.length - 1];
  const workdirs = [...runtime.matchAll(/^WORKDIR (\S+)$/gm)].map(m => m[1]);
  const dist =
    /^COPY --from=build \/repo\/services\/inference\/dist (\S+)$/m.exec(
      runtime,
    );
  return {
    workdir: workdirs[workdirs.length - 1],
    dist: dist ? path.posix.join('/app', dist[1]) : undefined,
  };
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

// The smoke-traffic Job of the pre-promotion analysis runs `node dist/loadgen/main.js` in the inference
// image. This builds the load generator the way the image does (services/inference/tsconfig.build.json,
// only the outDir moved to a temporary directory) and runs the rendered command line with it.
describe('the smoke-traffic command exists in the image build output', () => {
  const objects = renderObjects(
    path.join(repoRoot, 'charts', 'inference'),
    'inference',
    { valueFiles: [sandboxIdentityValues] },
  );
  const container = (
    analysisMetrics(objects).find(m => m.provider.job)!.provider.job!.spec as {
      template: {
        spec: { containers: { command: string[]; args: string[] }[] };
      };
    }
  ).template.spec.containers[0];
  let outDir: string;

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadgen-build-'));
    const tsconfig = path.join(outDir, 'tsconfig.json');
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(serviceDir, 'tsconfig.build.json'),
        include: [],
        files: [path.join(serviceDir, 'src', 'loadgen', 'main.ts')],
        compilerOptions: {
          outDir: path.join(outDir, 'dist'),
          tsBuildInfoFile: path.join(outDir, '.tsbuildinfo'),
          // Type packages are looked up beside the tsconfig, which lives outside the repository here.
          typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
        },
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', tsconfig],
      { encoding: 'utf8', cwd: serviceDir },
    );
    if (tsc.status !== 0) {
      throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    }
  }, 120_000);
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('runs from the runtime stage working directory, where the build copies dist/', () => {
    const layout = runtimeLayout();
    expect(layout.workdir).toBe('/app/services/inference');
    expect(layout.dist).toBe('/app/services/inference/dist');
    expect(container.command).toEqual(LOADGEN_COMMAND);
  });

  it('is built to dist/loadgen/main.js and takes the rendered arguments', async () => {
    const script = path.join(outDir, LOADGEN_COMMAND[1]);
    expect(fs.existsSync(script)).toBe(true);
    // The rendered arguments, then the address of a port nothing answers on and a short run: the load
    // generator's options keep their last value.
    const port = await closedPort();
    const run = spawnSync(
      process.execPath,
      [
        script,
        ...container.args,
        '--url',
        `http://127.0.0.1:${port}`,
        '--seconds',
        '1',
        '--wait-ready',
        '0',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: [
            path.join(serviceDir, 'node_modules'),
            path.join(repoRoot, 'node_modules'),
          ].join(path.delimiter),
        },
      },
    );
    // 2 would be a refused option; 1 is the verdict on a service that never answered.
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr: '',
    });
    expect(run.stdout).toMatch(
      /^loadgen: open loop at 5 rps \(max 4 in flight\), 1(\.[0-9]+)? s$/m,
    );
    expect(run.stdout).toMatch(
      /errors: 0 unexpected answers, [1-9][0-9]* network errors/,
    );
  });
});
