output "cluster_name" {
  description = "Name of the cluster the releases were installed into, as read from the cluster stack."
  value       = local.cluster.cluster_name
}

output "argocd_namespace" {
  description = "Namespace of Argo CD, where the environment's Application lives."
  value       = module.argocd.namespace
}

output "argocd_server_host" {
  description = "In-cluster DNS name of the Argo CD API server."
  value       = module.argocd.server_host
}

output "argocd_url" {
  description = "URL of the Argo CD server (UI and API): the environment's devops-app.io/argocd-url annotation."
  value       = "https://${module.argocd.server_host}"
}

output "argo_rollouts_namespace" {
  description = "Namespace of the Argo Rollouts controller."
  value       = module.argocd.rollouts_namespace
}

output "prometheus_namespace" {
  description = "Namespace of the kube-prometheus-stack release."
  value       = module.prometheus.namespace
}

output "prometheus_url" {
  description = "In-cluster URL of the Prometheus HTTP API."
  value       = module.prometheus.prometheus_url
}

output "grafana_url" {
  description = "In-cluster URL of Grafana."
  value       = module.prometheus.grafana_url
}

output "datadog_namespace" {
  description = "Namespace of the Datadog agent."
  value       = module.datadog.namespace
}

output "datadog_site" {
  description = "Datadog site the agents report to."
  value       = module.datadog.site
}

output "chart_versions" {
  description = "Chart versions installed, by chart name."
  value = merge(module.argocd.chart_versions, {
    datadog               = module.datadog.chart_version
    kube-prometheus-stack = module.prometheus.chart_version
  })
}

output "backstage_reader_cluster_role" {
  description = "ClusterRole of the portal's read access (get, list, watch on what the Kubernetes tab shows beyond the RBAC Reader role), bound to the cluster stack's portal_reader_principal_ids."
  value       = kubernetes_cluster_role_v1.backstage_reader.metadata[0].name
}

output "backstage_reader_subjects" {
  description = "Entra object IDs the backstage-reader ClusterRole is bound to (the portal's managed identity); empty when the cluster stack names none."
  value       = local.portal_readers
}

output "argocd_portal_account" {
  description = "Argo CD local account of the portal (apiKey only); its token, made once with argocd account generate-token, is the portal's ARGOCD_TOKEN."
  value       = module.argocd.portal_account
}
