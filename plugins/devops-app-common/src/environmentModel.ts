import {
  ANNOTATION_ARGOCD_INSTANCE,
  ANNOTATION_ARGOCD_URL,
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_NAMESPACE,
  ANNOTATION_PRODUCTION,
  ANNOTATION_PROMETHEUS_URL,
  ANNOTATION_PROMOTION_ORDER,
  ANNOTATION_PROTECTED,
  ANNOTATION_REQUIRES_APPROVAL,
} from './annotations';
import { validateEnvironmentName } from './environments';

/**
 * The environment model: an environment is a catalog Resource with `spec.type: environment`; its facts
 * are the entity's annotations. This file is the one place that reads them and holds their defaults
 * (namespace `inference-<env>`, production for `prod`), so the backend routes, the scaffolder module and
 * the frontend (through the backend's `GET /environments`) agree on every environment.
 */

/** The `spec.type` of an environment Resource. @public */
export const ENVIRONMENT_ENTITY_TYPE = 'environment';
/** The `spec.type` of a Kubernetes cluster Resource (Backstage's catalog cluster locator reads these). @public */
export const KUBERNETES_CLUSTER_ENTITY_TYPE = 'kubernetes-cluster';

/** One annotation of an environment that could not be used, and why. @public */
export interface EnvironmentProblem {
  /** The annotation (or entity field) at fault, e.g. `devops-app.io/namespace`. */
  annotation: string;
  message: string;
}

/** An environment as the portal uses it. @public */
export interface Environment {
  name: string;
  /** `resource:<namespace>/<name>`. */
  entityRef: string;
  title: string;
  /** The owning group, from `spec.owner`. */
  owner?: string;
  namespace: string;
  production: boolean;
  protected: boolean;
  /** When the portal tears it down (ISO time, from `devops-app.io/expires-at`); undefined: never. */
  expiresAt?: string;
  /** An apply stops after its plan until another user approves it (always for production-class). */
  requiresApproval?: boolean;
  /** Place in the promotion order (1 first); undefined when the environment is not in the line. */
  promotionOrder?: number;
  /** The environment's own Prometheus; undefined: the global querier. */
  prometheusUrl?: string;
  /** The Argo CD instance (`devopsApp.argocd.instances[].name`) that deploys it. */
  argocdInstance?: string;
  /** Argo CD UI of the environment, for links. */
  argocdUrl?: string;
  /** Entity ref of its `kubernetes-cluster` Resource. */
  kubernetesCluster?: string;
  /** Annotations that could not be used; any problem makes actions on the environment refused. */
  problems: EnvironmentProblem[];
}

/** What the portal's configuration (`devopsApp.environments.<name>`) may preset for an environment. @public */
export interface EnvironmentDefaults {
  title?: string;
  namespace?: string;
  production?: boolean;
}

/**
 * The parts of a catalog entity the portal's packages read (a catalog-model `Entity` is one), so they
 * need not depend on catalog-model. @public
 */
export interface EntityLike {
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

/** An entity whose kind is read too (to tell environment Resources from services). @public */
export interface EnvironmentEntityLike extends EntityLike {
  kind: string;
}

/** Whether the entity is an environment Resource. @public */
export function isEnvironmentEntity(entity: EnvironmentEntityLike): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    entity.spec?.type === ENVIRONMENT_ENTITY_TYPE
  );
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENTITY_REF =
  /^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9-_.]*\/[a-z0-9][a-z0-9-_.]*$/i;

/** The inference chart's directory in the GitOps repository. @public */
export const INFERENCE_CHART_PATH = 'charts/inference';

/**
 * The environment's Helm values file in the GitOps repository: `values.yaml` is the base and the dev
 * environment; every other environment has `values-<env>.yaml` (charts/README.md).
 * @public
 */
export function environmentValuesFile(
  environment: string,
  chartPath: string = INFERENCE_CHART_PATH,
): string {
  return environment === 'dev'
    ? `${chartPath}/values.yaml`
    : `${chartPath}/values-${environment}.yaml`;
}

/** The default namespace of the service in an environment. @public */
export function defaultNamespace(environment: string): string {
  return `inference-${environment}`;
}

function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      !url.username &&
      !url.password
    ) {
      return url.toString().replace(/\/+$/, '');
    }
  } catch {
    // not a URL
  }
  return undefined;
}

/** ISO 8601 date and time with seconds and a zone (Z or ±hh:mm), as `Date#toISOString` writes. */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The expiry annotation as a normalized ISO time; undefined when absent, null when malformed. */
function expiryTime(value: string | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!ISO_TIME.test(text)) return null;
  const [year, month, day, hour, minute, second] = text
    .split(/[-T:.Z+]/)
    .slice(0, 6)
    .map(Number);
  // Date.parse rolls 2026-02-30 over to March; a day the month does not have is malformed.
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (
    calendarDay.getUTCMonth() !== month - 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  return new Date(Date.parse(text)).toISOString();
}

/**
 * Reads an environment entity. Never throws: an annotation that cannot be used becomes a problem of this
 * environment (and the field falls back to its default), so one bad entity never hides the others.
 * @public
 */
export function environmentFromEntity(
  entity: EnvironmentEntityLike,
  defaults: EnvironmentDefaults = {},
): Environment {
  const annotations = entity.metadata.annotations ?? {};
  const name = entity.metadata.name;
  const problems: EnvironmentProblem[] = [];
  const problem = (annotation: string, message: string) =>
    problems.push({ annotation, message });

  const nameReason = validateEnvironmentName(name);
  if (nameReason) problem('metadata.name', `"${name}" ${nameReason}`);

  const bool = (annotation: string, fallback: boolean): boolean => {
    const value = annotations[annotation];
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    problem(annotation, `"${value}" is not true or false`);
    return fallback;
  };
  const url = (annotation: string): string | undefined => {
    const value = annotations[annotation];
    if (value === undefined) return undefined;
    const parsed = httpUrl(value.trim());
    if (!parsed) {
      problem(
        annotation,
        `"${value}" is not an http or https URL without credentials`,
      );
    }
    return parsed;
  };

  let namespace = defaults.namespace ?? defaultNamespace(name);
  const namespaceValue = annotations[ANNOTATION_NAMESPACE];
  if (namespaceValue !== undefined) {
    if (DNS_LABEL.test(namespaceValue)) namespace = namespaceValue;
    else {
      problem(
        ANNOTATION_NAMESPACE,
        `"${namespaceValue}" is not a DNS label (a-z, 0-9, "-", at most 63 characters)`,
      );
    }
  }

  let promotionOrder: number | undefined;
  const orderValue = annotations[ANNOTATION_PROMOTION_ORDER];
  if (orderValue !== undefined) {
    if (/^[1-9][0-9]{0,3}$/.test(orderValue))
      promotionOrder = Number(orderValue);
    else
      problem(
        ANNOTATION_PROMOTION_ORDER,
        `"${orderValue}" is not a whole number from 1 to 9999`,
      );
  }

  let argocdInstance: string | undefined;
  const instanceValue = annotations[ANNOTATION_ARGOCD_INSTANCE];
  if (instanceValue !== undefined) {
    if (DNS_LABEL.test(instanceValue)) argocdInstance = instanceValue;
    else
      problem(
        ANNOTATION_ARGOCD_INSTANCE,
        `"${instanceValue}" is not an instance name`,
      );
  }

  let kubernetesCluster: string | undefined;
  const clusterValue = annotations[ANNOTATION_KUBERNETES_CLUSTER];
  if (clusterValue !== undefined) {
    if (ENTITY_REF.test(clusterValue))
      kubernetesCluster = clusterValue.toLocaleLowerCase('en-US');
    else
      problem(
        ANNOTATION_KUBERNETES_CLUSTER,
        `"${clusterValue}" is not an entity ref (resource:<namespace>/<name>)`,
      );
  }

  const production = bool(
    ANNOTATION_PRODUCTION,
    defaults.production ?? name === 'prod',
  );
  const owner =
    typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined;
  const expiresAt = expiryTime(annotations[ANNOTATION_EXPIRES_AT]);
  if (expiresAt === null) {
    problem(
      ANNOTATION_EXPIRES_AT,
      `"${annotations[ANNOTATION_EXPIRES_AT]}" is not an ISO 8601 time with a zone (e.g. 2026-12-02T14:00:00Z)`,
    );
  }
  return {
    name,
    entityRef: `resource:${entity.metadata.namespace ?? 'default'}/${name}`,
    title: entity.metadata.title ?? defaults.title ?? name,
    owner,
    namespace,
    production,
    protected: bool(ANNOTATION_PROTECTED, production),
    ...(expiresAt ? { expiresAt } : {}),
    // Production-class environments always need an approved plan; others when the entity asks.
    requiresApproval: bool(ANNOTATION_REQUIRES_APPROVAL, false) || production,
    promotionOrder,
    prometheusUrl: url(ANNOTATION_PROMETHEUS_URL),
    argocdInstance,
    argocdUrl: url(ANNOTATION_ARGOCD_URL),
    kubernetesCluster,
    problems,
  };
}

/**
 * The order environments are shown and promoted in: by promotion order, then those outside the line by
 * name.
 * @public
 */
export function compareEnvironments(a: Environment, b: Environment): number {
  const ao = a.promotionOrder ?? Number.MAX_SAFE_INTEGER;
  const bo = b.promotionOrder ?? Number.MAX_SAFE_INTEGER;
  return ao - bo || a.name.localeCompare(b.name);
}

/** The response of `GET /api/devops-app/environments?entityRef=`. @public */
export interface EntityEnvironmentsResponse {
  entityRef: string;
  items: Environment[];
}
