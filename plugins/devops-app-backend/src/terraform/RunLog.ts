import { LoggerService } from '@backstage/backend-plugin-api';
import {
  TerraformLogLine,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { TerraformRunSignals } from './TerraformRunSignals';
import { TerraformRunStore } from './TerraformRunStore';

/** Log lines are written to the database in batches at most this far apart. */
export const LOG_FLUSH_MS = 200;

type Listener = (line: TerraformLogLine) => void;

/**
 * The log of one run on the instance executing it: numbers each (already redacted) line, hands it
 * at once to the listeners subscribed on this instance, and stores the lines in batches, announcing
 * each stored batch on the run's signal channel (only once it is readable).
 */
export class RunLog {
  private seq = 0;
  private buffer: Omit<TerraformLogLine, 'at'>[] = [];
  private writes = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly options: {
      runId: string;
      environment: string;
      store: TerraformRunStore;
      signals: TerraformRunSignals;
      logger: LoggerService;
      listeners: () => Iterable<Listener>;
      /** The first line's `seq`: after the stored lines of a run's earlier phase (its plan). */
      firstSeq?: number;
    },
  ) {
    this.seq = options.firstSeq ?? 0;
    this.timer = setInterval(() => void this.flush(), LOG_FLUSH_MS);
  }

  line(
    stack: TerraformStackName,
    stream: TerraformLogLine['stream'],
    line: string,
  ): void {
    const entry = { seq: this.seq++, stack, stream, line };
    this.buffer.push(entry);
    const at = new Date().toISOString();
    for (const listener of this.options.listeners()) listener({ ...entry, at });
  }

  /** Stores what is buffered; resolves when every line so far is stored. */
  flush(): Promise<void> {
    const { store, signals, logger, runId, environment } = this.options;
    const lines = this.buffer;
    this.buffer = [];
    this.writes = this.writes
      .then(async () => {
        await store.appendLog(runId, lines);
        if (lines.length > 0) {
          signals.logStored(runId, environment, lines[lines.length - 1].seq);
        }
      })
      .catch(error => {
        logger.error(
          `Could not store log lines of terraform run ${runId}: ${error}`,
        );
      });
    return this.writes;
  }

  /** Stores the last lines and sends the last log signal; the log takes no more lines. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.options.signals.finishLog(this.options.runId);
  }
}
