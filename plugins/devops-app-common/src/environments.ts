import { ANNOTATION_ENVIRONMENTS } from './annotations';

/**
 * An environment name is a lower-case DNS label (RFC 1123) starting with a letter, at most 24
 * characters: every environment has Terraform stacks, whose `environment` variable allows 24 (Azure
 * names such as `aks-devops-app-<env>` and `stdevopsapp<env>` are built from it), and it is used in the
 * namespace `inference-<env>`, Argo CD application names and Terraform state keys. The one grammar of
 * the backend's routes, the catalog model and the new-environment template (whose `name` parameter
 * has this pattern; a test keeps them equal).
 * @public
 */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/;

/** @public */
export const ENVIRONMENT_NAME_MAX_LENGTH = 24;

/**
 * Why an environment name is not valid, or undefined when it is.
 * @public
 */
export function validateEnvironmentName(name: string): string | undefined {
  if (name.length === 0) {
    return 'is empty';
  }
  if (name.length > ENVIRONMENT_NAME_MAX_LENGTH) {
    return `is longer than ${ENVIRONMENT_NAME_MAX_LENGTH} characters`;
  }
  if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
    return 'must be a lower-case DNS label: a-z, 0-9 and "-", starting with a letter and not ending with "-"';
  }
  return undefined;
}

/**
 * What charts/argocd-apps accepts as a production-class environment's `targetRevision`: a commit SHA
 * (40 hex digits) or a release tag `vX.Y.Z` (with an optional pre-release). Production never follows a
 * branch. The new-environment template's `pinnedRevision` parameter has this pattern.
 * @public
 */
export const PINNED_REVISION_PATTERN =
  /^([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$/;

/**
 * Why a pinned revision is not one, or undefined when it is.
 * @public
 */
export function validatePinnedRevision(revision: string): string | undefined {
  if (revision.length === 0) {
    return 'is empty';
  }
  if (!PINNED_REVISION_PATTERN.test(revision)) {
    return 'is not a 40-hex commit SHA or a release tag vX.Y.Z';
  }
  return undefined;
}

/**
 * An Entra ID object ID (a GUID in lower case), as the cluster stack's `admin_group_object_ids` takes.
 * @public
 */
export const ENTRA_OBJECT_ID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** @public */
export interface EnvironmentList {
  /** Valid environment names in the order the annotation lists them, without duplicates. */
  environments: string[];
  /** Entries that are not valid environment names, with the reason. */
  invalid: { value: string; reason: string }[];
}

/**
 * Parses the value of the `devops-app.io/environments` annotation.
 * @public
 */
export function parseEnvironments(value: string | undefined): EnvironmentList {
  const result: EnvironmentList = { environments: [], invalid: [] };
  if (!value) {
    return result;
  }
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') {
      continue;
    }
    const reason = validateEnvironmentName(name);
    if (reason) {
      result.invalid.push({ value: name, reason });
    } else if (!result.environments.includes(name)) {
      result.environments.push(name);
    }
  }
  return result;
}

/** The minimal shape of a catalog entity this package needs, so it does not depend on catalog-model. */
interface EntityWithAnnotations {
  metadata: { annotations?: Record<string, string> };
}

/**
 * The environments the entity's `devops-app.io/environments` annotation names: an optional filter over
 * the environments related to it in the catalog (see the backend's environment resolver).
 * @public
 */
export function getEntityEnvironments(
  entity: EntityWithAnnotations,
): EnvironmentList {
  return parseEnvironments(
    entity.metadata.annotations?.[ANNOTATION_ENVIRONMENTS],
  );
}

/**
 * Whether the DevOps tab applies to the entity: it carries one of the `devops-app.io/` annotations (its
 * environments themselves come from the catalog, so a service needs no list of them).
 * @public
 */
export function isDevopsAppAvailable(entity: EntityWithAnnotations): boolean {
  return Object.keys(entity.metadata.annotations ?? {}).some(key =>
    key.startsWith('devops-app.io/'),
  );
}
