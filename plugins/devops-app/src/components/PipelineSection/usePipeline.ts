import { useApi } from '@backstage/core-plugin-api';
import { PipelineResponse } from '@devops-app/plugin-devops-app-common';
import { devopsAppApiRef } from '../../api';
import { useDeploymentSignalRefresh } from '../../hooks/useDeploymentSignalRefresh';
import { LiveData, useLiveData } from '../../hooks/useLiveData';

/** Poll interval while no stage waits for a soak time to end. */
export const PIPELINE_IDLE_POLL_MS = 15_000;
/** Shortest and longest wait while a promotion waits for its soak time. */
const SOAK_POLL_MIN_MS = 1_000;
const SOAK_POLL_MAX_MS = 15_000;

/**
 * The next read: when the first soak time still running ends (so "Promote" turns on close to when the
 * rule allows it), else every 15 s.
 */
export function nextPipelineReadMs(
  pipeline: PipelineResponse | undefined,
): number {
  let next = PIPELINE_IDLE_POLL_MS;
  for (const stage of pipeline?.stages ?? []) {
    const p = stage.promotion;
    if (p && !p.allowed && p.ranSeconds !== undefined) {
      const left = (p.soakSeconds - p.ranSeconds) * 1000;
      if (left > 0) {
        next = Math.min(
          next,
          Math.max(SOAK_POLL_MIN_MS, Math.min(SOAK_POLL_MAX_MS, left + 500)),
        );
      }
    }
  }
  return next;
}

/**
 * The entity's pipeline, kept live through `useLiveData`: again when a soak time ends, every 15 s
 * otherwise, and when the backend signals an audit entry of the entity (a deploy or promotion).
 */
export function usePipeline(entityRef: string): LiveData<PipelineResponse> {
  const api = useApi(devopsAppApiRef);
  const read = useLiveData<PipelineResponse>(
    entityRef,
    () => api.getPipeline(entityRef),
    { intervalMs: ({ value }) => nextPipelineReadMs(value) },
  );
  useDeploymentSignalRefresh(entityRef, read.refresh);
  return read;
}
