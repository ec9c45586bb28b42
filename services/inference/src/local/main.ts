import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startAzurite } from './azurite';
import { runStateDir, serviceEntryPoint } from './paths';

/**
 * `yarn workspace @devops-app/inference start:local`: Azurite on 127.0.0.1:10000 (data in .run/azurite,
 * reusing one already listening) and the service on 127.0.0.1:8000, so the portal has a live workload.
 * SIGTERM or SIGINT stops both; the service drains its requests first.
 */
async function main(): Promise<void> {
  const azurite = await startAzurite({
    defaultAccount: true,
    reuse: true,
    location: join(runStateDir(), 'azurite'),
  });
  console.log(
    azurite.reused
      ? `start:local: reusing the Azurite listening on ${azurite.host}:${azurite.port}`
      : `start:local: Azurite listening on ${azurite.host}:${azurite.port}, data in .run/azurite`,
  );

  const service = spawn(process.execPath, [serviceEntryPoint()], {
    stdio: 'inherit',
    env: {
      HOST: '127.0.0.1',
      PORT: '8000',
      DD_ENV: 'local',
      DD_SERVICE: 'inference-service',
      ROLLOUT_COLOUR: 'blue',
      ...process.env,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    },
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!stopping) {
      stopping = true;
      service.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const code = await new Promise<number>(resolve => {
    service.once('exit', (exitCode, signal) =>
      resolve(exitCode ?? (signal ? 1 : 0)),
    );
  });
  await azurite.stop();
  process.exit(stopping ? 0 : code);
}

main().catch(error => {
  console.error(`start:local failed: ${(error as Error).message}`);
  process.exit(1);
});
