import { ConfigError } from './config';
import { createLogger } from './logging/logger';
import {
  loadTrainingConfig,
  runTraining,
  TRAINING_USAGE,
} from './training/runTraining';

/**
 * The training program (`node dist/train.js`, the training image's command and the chart's training
 * Job): fits the edge-anomaly parameters on labelled samples and publishes the versioned artifact to
 * the models container. Exit 0: published, or the same version already there and valid; 2: bad
 * configuration; 1: anything else (nothing half-written: the artifact is one conditional upload).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadTrainingConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`training: ${error.message}\n\n${TRAINING_USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({
    level: config.logLevel,
    service: process.env.DD_SERVICE?.trim() || 'inference-training',
  });
  try {
    await runTraining(config, logger);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, 'training failed');
    logger.flush();
    process.exit(1);
  }
  logger.flush();
}

main().catch(error => {
  process.stderr.write(`training failed: ${(error as Error).message}\n`);
  process.exit(1);
});
