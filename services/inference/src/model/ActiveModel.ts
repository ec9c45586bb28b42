import type { ModelArtifact } from './artifact';
import { MODEL_NAME, MODEL_REVISION } from './detector';
import { DEFAULT_REGION_SEARCH, RegionSearchOptions } from './regions';

/** The version the built-in parameters report: no artifact behind them. */
export const BUILT_IN_MODEL_VERSION = `${MODEL_NAME}-${MODEL_REVISION}`;

/** The model a replica serves. */
export interface ServedModel {
  version: string;
  parameters: RegionSearchOptions;
  /** `artifact`: read from the models container; `built-in`: the detector's own defaults. */
  source: 'artifact' | 'built-in';
  /** The artifact's SHA-256, when there is one. */
  checksum?: string;
}

/** What /readyz and the start-up log say about the model. */
export interface ModelStatus {
  version: string;
  source: ServedModel['source'];
  checksum?: string;
  /** The version MODEL_VERSION asked for. */
  requested_version: string;
  /** Set when the requested version is not the one served, and why. */
  problem?: string;
}

/** Where artifacts come from (BlobModelStore in the service). */
export interface ModelSource {
  load(version: string): Promise<ModelArtifact>;
}

export function builtInModel(
  version: string = BUILT_IN_MODEL_VERSION,
): ServedModel {
  return { version, parameters: DEFAULT_REGION_SEARCH, source: 'built-in' };
}

/**
 * The model in service and how it got there. A load that fails (missing, corrupt, unreachable store)
 * changes nothing: the replica keeps what it served before, the built-in model at start, and says so.
 */
export class ActiveModel {
  private served: ServedModel;
  private problem: string | undefined;
  private readonly listeners: Array<(model: ServedModel) => void> = [];

  constructor(
    private requested: string,
    initial: ServedModel = builtInModel(),
  ) {
    this.served = initial;
  }

  get current(): ServedModel {
    return this.served;
  }

  status(): ModelStatus {
    return {
      version: this.served.version,
      source: this.served.source,
      ...(this.served.checksum ? { checksum: this.served.checksum } : {}),
      requested_version: this.requested,
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  /** Calls `listener` with every model switched to (the metrics' model_info). */
  onChange(listener: (model: ServedModel) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Loads `version` from `source` and serves it; on failure keeps the current model, records why and
   * rethrows, so the caller logs it.
   */
  async load(version: string, source: ModelSource): Promise<ServedModel> {
    this.requested = version;
    try {
      const artifact = await source.load(version);
      this.served = {
        version: artifact.version,
        parameters: artifact.parameters,
        source: 'artifact',
        checksum: artifact.checksum.value,
      };
      this.problem = undefined;
      for (const listener of this.listeners) {
        listener(this.served);
      }
      return this.served;
    } catch (error) {
      this.problem = `model version "${version}" not loaded, serving "${
        this.served.version
      }" (${this.served.source}): ${(error as Error).message}`;
      throw error;
    }
  }
}
