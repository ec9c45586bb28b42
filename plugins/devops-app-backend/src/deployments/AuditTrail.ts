import { LoggerService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import { AuditStore, NewAuditRecord } from './AuditStore';

/** A permission decision as the authorized services reach it. */
export interface AuditDecision {
  allowed: boolean;
  reason?: string;
}

/** Who asked what on which environment: everything of an entry but its result. */
export type AuditSubject<TAction extends string> = Omit<
  NewAuditRecord<TAction>,
  'result'
>;

/** How an action's entries read, beyond the subject. */
export interface AuditEntries<T, TAction extends string> {
  /** Fields of the success entry from the action's result (e.g. its commit or run). */
  success?: (result: T) => Partial<NewAuditRecord<TAction>>;
  /** The failure entry's message; the error's message by default. */
  failure?: (error: Error) => string;
}

/**
 * The one audited path of the authorized services (deployments, terraform runs): a denial is written
 * and answered 403 with its reason; an allowed action is run and its success or failure written, then
 * the action's error rethrown. The action already happened when its entry is written, so a lost entry
 * is logged loudly and never fails it. Each written entry goes to `onWritten` (e.g. announced on the
 * entity's signal channel).
 */
export class AuditTrail<TAction extends string> {
  constructor(
    private readonly options: {
      audit: AuditStore;
      logger: LoggerService;
      onWritten?: (record: AuditRecord<TAction>) => Promise<void>;
    },
  ) {}

  async decide<T>(
    subject: AuditSubject<TAction>,
    decision: AuditDecision,
    act: () => Promise<T>,
    entries: AuditEntries<T, TAction> = {},
  ): Promise<{ result: T; record: AuditRecord<TAction> }> {
    if (!decision.allowed) {
      const reason = decision.reason ?? 'denied';
      await this.record({ ...subject, result: 'denied', message: reason });
      throw new NotAllowedError(reason);
    }
    let result: T;
    try {
      result = await act();
    } catch (e) {
      const error = e as Error;
      await this.record({
        ...subject,
        result: 'failure',
        message: entries.failure?.(error) ?? error.message,
      });
      throw e;
    }
    const record = await this.record({
      ...subject,
      ...entries.success?.(result),
      result: 'success',
    });
    return { result, record };
  }

  /** Writes one entry; a failed write is logged and answered with the entry unsaved (id -1). */
  async record(
    record: NewAuditRecord<TAction>,
  ): Promise<AuditRecord<TAction>> {
    let written: AuditRecord<TAction>;
    try {
      written = await this.options.audit.add<TAction>(record);
    } catch (e) {
      this.options.logger.error(
        `Could not write the audit record of ${record.action} of ${record.environment} (${record.entityRef})`,
        e as Error,
      );
      return { ...record, id: -1, createdAt: new Date().toISOString() };
    }
    await this.options.onWritten?.(written);
    return written;
  }
}
