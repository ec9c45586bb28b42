// Tracing first: dd-trace must be running before fastify, http and the Azure SDK are loaded.
import './tracing/register';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logging/logger';
import { runService } from './service';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`inference-service: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({
    level: config.logLevel,
    service: process.env.DD_SERVICE?.trim() || 'inference-service',
  });
  await runService(config, logger);
}

main().catch(error => {
  process.stderr.write(
    `inference-service failed to start: ${(error as Error).stack ?? error}\n`,
  );
  process.exit(1);
});
