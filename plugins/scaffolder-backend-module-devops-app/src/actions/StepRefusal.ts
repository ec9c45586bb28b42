import { InputError } from '@backstage/errors';

/**
 * A step that refuses its input, with a reason for the person who filled in the form. The scaffolder
 * writes a failed step's `error.stack` into the task log the user reads
 * (NunjucksWorkflowRunner's markFailed), so a refusal's stack is its message alone: a refusal is not
 * a bug, and the log shows no source paths. Unexpected errors keep their stacks.
 */
export class StepRefusal extends InputError {
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
