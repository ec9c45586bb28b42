import { TerraformStackName } from '@devops-app/plugin-devops-app-common';
import { StackGraph, StackOutcome } from './StackGraph';

/** Runs the graph with stacks that take `ms` each, recording when each started and ended. */
async function schedule(
  graph: StackGraph,
  outcome: Partial<Record<TerraformStackName, StackOutcome>> = {},
  cancelled = () => false,
) {
  const events: string[] = [];
  const skipped: Record<string, unknown> = {};
  const result = await graph.run({
    cancelled,
    run: async stack => {
      events.push(`start ${stack}`);
      await new Promise(r => setTimeout(r, 20));
      events.push(`end ${stack}`);
      return outcome[stack] ?? 'ready';
    },
    skip: async (stack, why) => {
      skipped[stack] = why;
      return why.reason === 'dependency-changes' ? 'changes' : 'failed';
    },
  });
  return { events, skipped, result };
}

describe('StackGraph', () => {
  it('applies cluster first, then monitoring and storage in parallel', async () => {
    const { events, result } = await schedule(StackGraph.forMode('apply'));
    expect(events.slice(0, 2)).toEqual(['start cluster', 'end cluster']);
    // Both dependents start before either ends.
    expect(events.slice(2, 4).sort()).toEqual([
      'start monitoring',
      'start storage',
    ]);
    expect(events.slice(4).sort()).toEqual(['end monitoring', 'end storage']);
    expect(result).toEqual({
      cluster: 'ready',
      monitoring: 'ready',
      storage: 'ready',
    });
  });

  it('destroys in reverse: monitoring and storage in parallel, then cluster', async () => {
    const graph = StackGraph.forMode('destroy');
    expect(graph.waitsFor('cluster').sort()).toEqual(['monitoring', 'storage']);
    expect(graph.waitsFor('monitoring')).toEqual([]);
    const { events } = await schedule(graph);
    expect(events.slice(0, 2).sort()).toEqual([
      'start monitoring',
      'start storage',
    ]);
    expect(events.slice(2, 4).sort()).toEqual([
      'end monitoring',
      'end storage',
    ]);
    expect(events.slice(4)).toEqual(['start cluster', 'end cluster']);
  });

  it('skips the dependents of a failed stack, naming it, and runs nothing after a cancel', async () => {
    const failed = await schedule(StackGraph.forMode('apply'), {
      cluster: 'failed',
    });
    expect(failed.events).toEqual(['start cluster', 'end cluster']);
    expect(failed.skipped).toEqual({
      monitoring: { reason: 'dependency-failed', dependencies: ['cluster'] },
      storage: { reason: 'dependency-failed', dependencies: ['cluster'] },
    });
    // A destroy whose storage failed keeps the cluster (storage's resources are still on it).
    const destroy = await schedule(StackGraph.forMode('destroy'), {
      storage: 'failed',
    });
    expect(destroy.events).not.toContain('start cluster');
    expect(destroy.skipped).toEqual({
      cluster: { reason: 'dependency-failed', dependencies: ['storage'] },
    });
    const cancelled = await schedule(
      StackGraph.forMode('apply'),
      {},
      () => true,
    );
    expect(cancelled.events).toEqual([]);
    expect(Object.keys(cancelled.skipped).sort()).toEqual([
      'cluster',
      'monitoring',
      'storage',
    ]);
  });

  it('does not plan a stack against a dependency whose plan changes something', async () => {
    const { events, skipped } = await schedule(StackGraph.forMode('plan'), {
      cluster: 'changes',
    });
    expect(events).toEqual(['start cluster', 'end cluster']);
    expect(skipped.monitoring).toEqual({
      reason: 'dependency-changes',
      dependencies: ['cluster'],
    });
  });

  it('follows other dependencies, as the benchmark gives them (stacks in a line)', async () => {
    const line = StackGraph.forMode('apply', {
      cluster: [],
      monitoring: ['cluster'],
      storage: ['monitoring'],
    });
    const { events } = await schedule(line);
    expect(events).toEqual([
      'start cluster',
      'end cluster',
      'start monitoring',
      'end monitoring',
      'start storage',
      'end storage',
    ]);
  });
});
