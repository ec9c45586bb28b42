import {
  reverseStackDependencies,
  TERRAFORM_STACK_DEPENDENCIES,
  TERRAFORM_STACKS,
  TerraformRunMode,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';

/**
 * What became of a stack, as its dependents see it: `ready` lets them run; `changes` is a plan-only
 * stack whose plan changes something, so a dependent cannot be planned against its state yet;
 * `failed` (failed, cancelled or skipped) stops them.
 */
export type StackOutcome = 'ready' | 'changes' | 'failed';

/** Why a stack was not run, for the executor to record. */
export type StackSkip =
  | { reason: 'cancelled' }
  | { reason: 'dependency-failed'; dependencies: TerraformStackName[] }
  | { reason: 'dependency-changes'; dependencies: TerraformStackName[] };

/**
 * The order the stacks of a run go in: each stack starts as soon as every stack it depends on is
 * `ready`, so stacks that do not depend on each other run in parallel. Apply and plan follow the
 * dependencies (cluster, then monitoring and storage together); destroy follows them reversed
 * (monitoring and storage together, then cluster), since a stack's resources must go before the
 * ones they are built on.
 */
export class StackGraph {
  private constructor(
    private readonly dependencies: Record<
      TerraformStackName,
      TerraformStackName[]
    >,
  ) {}

  /** The graph of a run in `mode`, from the apply dependencies (the stacks' own by default). */
  static forMode(
    mode: TerraformRunMode,
    dependencies: Record<
      TerraformStackName,
      TerraformStackName[]
    > = TERRAFORM_STACK_DEPENDENCIES,
  ): StackGraph {
    return new StackGraph(
      mode === 'destroy'
        ? reverseStackDependencies(dependencies)
        : dependencies,
    );
  }

  /** The stacks `stack` waits for in this graph. */
  waitsFor(stack: TerraformStackName): TerraformStackName[] {
    return this.dependencies[stack];
  }

  /**
   * Runs every stack through `run` once its dependencies are `ready`; a stack whose dependency did
   * not become ready goes to `skip` instead (it is not run). `cancelled()` is asked before each
   * stack starts. Resolves with each stack's outcome once all have one.
   */
  async run(handlers: {
    run: (stack: TerraformStackName) => Promise<StackOutcome>;
    skip: (stack: TerraformStackName, why: StackSkip) => Promise<StackOutcome>;
    cancelled: () => boolean;
  }): Promise<Record<TerraformStackName, StackOutcome>> {
    const results = new Map<TerraformStackName, Promise<StackOutcome>>();
    const visit = (stack: TerraformStackName): Promise<StackOutcome> => {
      let result = results.get(stack);
      if (!result) {
        const needs = this.dependencies[stack];
        result = Promise.all(needs.map(visit)).then(outcomes => {
          if (handlers.cancelled()) {
            return handlers.skip(stack, { reason: 'cancelled' });
          }
          const failed = needs.filter((_, i) => outcomes[i] === 'failed');
          if (failed.length > 0) {
            return handlers.skip(stack, {
              reason: 'dependency-failed',
              dependencies: failed,
            });
          }
          const changing = needs.filter((_, i) => outcomes[i] === 'changes');
          if (changing.length > 0) {
            return handlers.skip(stack, {
              reason: 'dependency-changes',
              dependencies: changing,
            });
          }
          return handlers.run(stack);
        });
        results.set(stack, result);
      }
      return result;
    };
    const outcomes = await Promise.all(TERRAFORM_STACKS.map(visit));
    return Object.fromEntries(
      TERRAFORM_STACKS.map((stack, i) => [stack, outcomes[i]]),
    ) as Record<TerraformStackName, StackOutcome>;
  }
}
