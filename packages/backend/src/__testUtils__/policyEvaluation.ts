import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { PermissionRule } from '@backstage/plugin-permission-node';
import { EnvironmentDefaults } from '@devops-app/plugin-devops-app-common';
import { DevopsAppPermissionPolicy } from '../permissionPolicy';
import { createProductionEnvironmentRule } from '../productionEnvironmentRule';

/**
 * The permission framework as the portal runs it, in-process: the policy's decision, and for a
 * conditional one the catalog's own rules (IS_ENTITY_OWNER, HAS_ANNOTATION, ...) and the portal's
 * IS_PRODUCTION_ENVIRONMENT applied to the entity, as the catalog's apply-conditions endpoint does.
 */
export function catalogRules(
  defaults: Map<string, EnvironmentDefaults> = new Map(),
): PermissionRule<Entity, unknown, 'catalog-entity', any>[] {
  return [
    ...Object.values(permissionRules),
    createProductionEnvironmentRule(defaults),
  ] as PermissionRule<Entity, unknown, 'catalog-entity', any>[];
}

export function evaluate(
  criteria: PermissionCriteria<PermissionCondition>,
  entity: Entity,
  rules = catalogRules(),
): boolean {
  if ('allOf' in criteria)
    return criteria.allOf.every(c => evaluate(c, entity, rules));
  if ('anyOf' in criteria)
    return criteria.anyOf.some(c => evaluate(c, entity, rules));
  if ('not' in criteria) return !evaluate(criteria.not, entity, rules);
  const rule = rules.find(r => r.name === criteria.rule);
  if (!rule) throw new Error(`unknown rule ${criteria.rule}`);
  return rule.apply(entity, criteria.params as any);
}

/** Whether a decision allows the entity; a conditional one must be the catalog's to evaluate. */
export function allowed(
  decision: PolicyDecision,
  entity: Entity | undefined,
  rules = catalogRules(),
): boolean {
  if (decision.result === AuthorizeResult.CONDITIONAL) {
    if (decision.pluginId !== 'catalog') {
      throw new Error(`conditions for ${decision.pluginId}, not the catalog`);
    }
    // The catalog denies a condition on an entity it does not hold.
    return entity !== undefined && evaluate(decision.conditions, entity, rules);
  }
  return decision.result === AuthorizeResult.ALLOW;
}

/** A user as the sign-in resolver makes it: the user's ref and its groups (`spec.memberOf`). */
export function ownershipOf(userRef: string, entities: Entity[]): string[] {
  const user = entities.find(
    e =>
      e.kind === 'User' &&
      `user:${e.metadata.namespace ?? 'default'}/${e.metadata.name}` ===
        userRef,
  );
  const groups = ((user?.spec?.memberOf as string[] | undefined) ?? []).map(g =>
    g.includes(':') ? g : `group:default/${g}`,
  );
  return [userRef, ...groups];
}

/**
 * A permissions service deciding with the real `DevopsAppPermissionPolicy` on `entities` (the
 * catalog's): users' groups from their User entities, conditions applied to the entity a request
 * names.
 */
export function policyPermissions(
  entities: Entity[],
  rules = catalogRules(),
): PermissionsService {
  const policy = new DevopsAppPermissionPolicy(async user => ({
    userEntityRef: user.info.userEntityRef,
    ownershipEntityRefs: user.info.ownershipEntityRefs,
  }));
  const byRef = (ref: string) =>
    entities.find(
      e =>
        `${e.kind}:${e.metadata.namespace ?? 'default'}/${
          e.metadata.name
        }`.toLocaleLowerCase('en-US') === ref.toLocaleLowerCase('en-US'),
    );
  const policyUser = (credentials: BackstageCredentials) => {
    const principal = credentials.principal as Partial<BackstageUserPrincipal>;
    if (!principal.userEntityRef) return undefined;
    const ownershipEntityRefs = ownershipOf(principal.userEntityRef, entities);
    return {
      credentials: credentials as BackstageCredentials<BackstageUserPrincipal>,
      info: { userEntityRef: principal.userEntityRef, ownershipEntityRefs },
    };
  };
  return {
    async authorize(requests, options) {
      const user = policyUser(options.credentials);
      return Promise.all(
        requests.map(async r => {
          const decision = await policy.handle(
            { permission: r.permission } as any,
            user,
          );
          const ref = (r as { resourceRef?: string }).resourceRef;
          const entity = ref ? byRef(ref) : undefined;
          return {
            result: allowed(decision, entity, rules)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          };
        }),
      );
    },
    async authorizeConditional(requests, options) {
      const user = policyUser(options.credentials);
      return Promise.all(
        requests.map(r =>
          policy.handle({ permission: r.permission } as any, user),
        ),
      ) as any;
    },
  } as PermissionsService;
}

/** The credentials of a user, for `policy.handle` in unit tests. */
export function policyUserOf(userRef: string, ownershipEntityRefs: string[]) {
  return {
    credentials: mockCredentials.user(userRef),
    info: { userEntityRef: userRef, ownershipEntityRefs },
  };
}
