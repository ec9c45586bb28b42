import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  TerraformRunSignal,
  terraformRunSignalChannel,
  terraformRunsSignalChannel,
  TerraformRunStatus,
  TerraformStackName,
  TerraformStackStatus,
} from '@devops-app/plugin-devops-app-common';

/** At most one log signal per run in this time. */
export const LOG_SIGNAL_INTERVAL_MS = 500;

/**
 * Tells open run pages and runs lists that a run moved, through Backstage signals:
 *
 * - on `devops-app:terraform-run:<runId>`: every state change of the run or of a stack, and, batched
 *   to at most one per {@link LOG_SIGNAL_INTERVAL_MS} per run, that log lines up to a `seq` are stored;
 * - on `devops-app:terraform-runs:<environment>` and `devops-app:terraform-runs` (the unfiltered
 *   list): the state changes, which are what a list shows.
 *
 * A message names the run, its environment, the status and the highest stored `seq`; never log text,
 * errors, outputs or variables: signals are broadcast to every signed-in viewer subscribed to the
 * channel, and the page then reads through the routes (`GET /runs/:id`, `GET /runs/:id/log?after=`).
 * Log signals are only sent once the lines are in the database, so a read after the signal finds them.
 *
 * Several backend instances: `SignalsService.publish` goes to the events service. Its local bus
 * reaches the signals backend of this instance, which writes to the browsers whose WebSocket is open
 * on this instance. The backend (packages/backend/src/index.ts) installs the events backend
 * (`@backstage/plugin-events-backend`), and production sets `events.useEventBus: always`
 * (app-config.production.yaml), so the event is also posted to its PostgreSQL-backed bus and the
 * signals backend of every other instance receives it by long-polling (each subscribes with its own
 * instance id, so each gets every event): a viewer connected to another instance than the one running
 * the terraform is told too, a moment later (packages/backend/src/multiInstance/
 * signalsAcrossInstances.test.ts shows it); the page's fallback poll covers a lost signal. State changes of a
 * run are always published by the instance that executes it (a cancel asked on another instance
 * reaches it through the database and the heartbeat). A failed publish is logged and never fails the run.
 */
export class TerraformRunSignals {
  private readonly pendingLogs = new Map<
    string,
    {
      environment: string;
      lastSeq: number;
      timer?: ReturnType<typeof setTimeout>;
      sentAt: number;
    }
  >();

  constructor(
    private readonly options: {
      signals?: SignalsService;
      logger: LoggerService;
      logIntervalMs?: number;
    },
  ) {}

  /** The run or one of its stacks changed state. */
  runChanged(change: {
    runId: string;
    environment: string;
    status: TerraformRunStatus;
    stack?: TerraformStackName;
    stackStatus?: TerraformStackStatus;
  }): Promise<void> {
    const message: TerraformRunSignal = {
      kind: 'state',
      runId: change.runId,
      environment: change.environment,
      status: change.status,
      ...(change.stack ? { stack: change.stack } : {}),
      ...(change.stackStatus ? { stackStatus: change.stackStatus } : {}),
    };
    return this.publish(
      [
        terraformRunSignalChannel(change.runId),
        terraformRunsSignalChannel(change.environment),
        terraformRunsSignalChannel(),
      ],
      message,
    );
  }

  /**
   * Lines up to `lastSeq` are stored. Sent at once when no log signal of the run went out in the last
   * interval, else once at the end of the interval with the highest `seq` stored by then.
   */
  logStored(runId: string, environment: string, lastSeq: number): void {
    if (!this.options.signals) return;
    const interval = this.options.logIntervalMs ?? LOG_SIGNAL_INTERVAL_MS;
    const pending = this.pendingLogs.get(runId);
    if (!pending) {
      this.pendingLogs.set(runId, { environment, lastSeq, sentAt: Date.now() });
      void this.sendLog(runId, environment, lastSeq);
      return;
    }
    pending.lastSeq = Math.max(pending.lastSeq, lastSeq);
    if (pending.timer) return;
    const wait = Math.max(0, pending.sentAt + interval - Date.now());
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      pending.sentAt = Date.now();
      void this.sendLog(runId, pending.environment, pending.lastSeq);
    }, wait);
  }

  /**
   * The run ended: sends the log signal still waiting for its interval, so that the last lines are
   * announced before the final state, and forgets the run.
   */
  async finishLog(runId: string): Promise<void> {
    const pending = this.pendingLogs.get(runId);
    this.pendingLogs.delete(runId);
    if (pending?.timer) {
      clearTimeout(pending.timer);
      await this.sendLog(runId, pending.environment, pending.lastSeq);
    }
  }

  private sendLog(runId: string, environment: string, lastSeq: number) {
    const message: TerraformRunSignal = {
      kind: 'log',
      runId,
      environment,
      status: 'running',
      lastSeq,
    };
    return this.publish([terraformRunSignalChannel(runId)], message);
  }

  private async publish(channels: string[], message: TerraformRunSignal) {
    const { signals, logger } = this.options;
    if (!signals) return;
    for (const channel of channels) {
      try {
        await signals.publish<TerraformRunSignal>({
          recipients: { type: 'broadcast' },
          channel,
          message,
        });
      } catch (e) {
        logger.warn(
          `Could not publish the terraform run signal on ${channel}: ${
            (e as Error).message
          }`,
        );
      }
    }
  }
}
