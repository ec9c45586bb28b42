/**
 * Entity annotations the devops-app plugins read. Community annotations are reused where they exist so
 * that other plugins (Argo CD, Kubernetes, Datadog) work from the same catalog entries.
 */

/** Comma-separated environment names, e.g. `dev,pre-prod,prod`. @public */
export const ANNOTATION_ENVIRONMENTS = 'devops-app.io/environments';
/** PromQL label matchers that select the service's series, e.g. `service="inference-service"`. @public */
export const ANNOTATION_PROMETHEUS_SELECTOR =
  'devops-app.io/prometheus-selector';
/** Group allowed to deploy to prod in addition to the owners. @public */
export const ANNOTATION_PROD_DEPLOYERS = 'devops-app.io/prod-deployers';
/** Datadog service name (unified service tagging `service`). @public */
export const ANNOTATION_DATADOG_SERVICE_NAME = 'datadoghq.com/service-name';
/** Argo CD label selector for the service's Applications. @public */
export const ANNOTATION_ARGOCD_APP_SELECTOR = 'argocd/app-selector';
/** Argo CD Application name, when the service has a single Application. @public */
export const ANNOTATION_ARGOCD_APP_NAME = 'argocd/app-name';
/** Kubernetes id, matched against the `backstage.io/kubernetes-id` pod label. @public */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/*
 * Annotations of an environment: a Resource with `spec.type: environment`, related to the services it
 * runs by its own `spec.dependencyOf: [component:<namespace>/<service>]` (the catalog turns that into
 * the environment's `dependencyOf` relation and the service's `dependsOn` relation). Every one is
 * optional; `environmentFromEntity` holds the defaults.
 */

/** Kubernetes namespace of the service in the environment; default `inference-<env>`. @public */
export const ANNOTATION_NAMESPACE = 'devops-app.io/namespace';
/** `true` or `false`: production-class environments need stricter permissions. @public */
export const ANNOTATION_PRODUCTION = 'devops-app.io/production';
/** `true` or `false`: a protected environment is never removed or pruned from the portal. @public */
export const ANNOTATION_PROTECTED = 'devops-app.io/protected';
/**
 * When the environment expires (an ISO 8601 time with a zone, e.g. `2026-12-02T14:00:00Z`): the portal
 * then tears it down (destroy, removal commit, catalog). Absent: never. @public
 */
export const ANNOTATION_EXPIRES_AT = 'devops-app.io/expires-at';
/**
 * `true` or `false`: an apply of the environment stops after its plan until another user approves it;
 * default: the environment's production class. @public
 */
export const ANNOTATION_REQUIRES_APPROVAL = 'devops-app.io/requires-approval';
/** Place in the promotion order (a whole number, 1 first); absent: not part of the promotion line. @public */
export const ANNOTATION_PROMOTION_ORDER = 'devops-app.io/promotion-order';
/** Prometheus HTTP API of the environment; absent: the global querier (`devopsApp.prometheus.baseUrl`). @public */
export const ANNOTATION_PROMETHEUS_URL = 'devops-app.io/prometheus-url';
/** Name of the Argo CD instance in `devopsApp.argocd.instances[]` that deploys the environment. @public */
export const ANNOTATION_ARGOCD_INSTANCE = 'devops-app.io/argocd-instance';
/** Argo CD UI of the environment (links only: the portal's token goes only to configured instances). @public */
export const ANNOTATION_ARGOCD_URL = 'devops-app.io/argocd-url';
/** Entity ref of the environment's `kubernetes-cluster` Resource. @public */
export const ANNOTATION_KUBERNETES_CLUSTER = 'devops-app.io/kubernetes-cluster';

/*
 * Annotations of a `kubernetes-cluster` Resource, as the Kubernetes backend's `catalog` cluster locator
 * reads them (@backstage/plugin-kubernetes-common ANNOTATION_KUBERNETES_*).
 */

/** @public */
export const ANNOTATION_KUBERNETES_API_SERVER = 'kubernetes.io/api-server';
/** @public */
export const ANNOTATION_KUBERNETES_API_SERVER_CA =
  'kubernetes.io/api-server-certificate-authority';
/** @public */
export const ANNOTATION_KUBERNETES_AUTH_PROVIDER =
  'kubernetes.io/auth-provider';
