import { ConflictError } from '@backstage/errors';

export { git, GitCommandError } from '@devops-app/plugin-devops-app-node';

/** A push the remote refused (a hook, branch protection, or someone pushed first). */
export class PushRejectedError extends ConflictError {}
