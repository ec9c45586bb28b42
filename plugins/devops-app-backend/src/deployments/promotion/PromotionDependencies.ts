import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { AuditStore } from '../AuditStore';
import type { AuthorizedDeploymentService } from '../AuthorizedDeploymentService';
import { PromotionConfig } from './config';
import { VerificationService } from './VerificationService';

/** What the promotion and the rollback services are built from. */
export interface PromotionDependencies {
  deployments: AuthorizedDeploymentService;
  environments: EnvironmentResolver;
  audit: AuditStore;
  verification: VerificationService;
  config: PromotionConfig;
  /** The clock (ms since the epoch); tests set it. */
  now?: () => number;
}

/** Now by the dependencies' clock. */
export function currentTimeMs(
  dependencies: Pick<PromotionDependencies, 'now'>,
): number {
  return dependencies.now?.() ?? Date.now();
}
