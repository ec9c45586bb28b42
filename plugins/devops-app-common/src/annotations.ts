/**
 * Entity annotations the devops-app plugins read. Community annotations are reused where they exist so
 * that other plugins (Argo CD, Kubernetes, Datadog) work from the same catalog entries.
 */

/** Comma-separated environment names, e.g. `dev,pre-prod,prod`. @public */
export const ANNOTATION_ENVIRONMENTS = 'devops-app.io/environments';
/** PromQL label matchers that select the service's series, e.g. `service="inference-service"`. @public */
export const ANNOTATION_PROMETHEUS_SELECTOR = 'devops-app.io/prometheus-selector';
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
