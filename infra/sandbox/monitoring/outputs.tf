output "cluster_name" {
  description = "Name of the cluster the releases were installed into, as read from the cluster stack."
  value       = terraform_data.argocd_release.output.cluster
}

output "argocd_namespace" {
  description = "Namespace of Argo CD, where the environment's Application lives."
  value       = terraform_data.argocd_release.output.namespace
}

output "argocd_server_host" {
  description = "In-cluster DNS name of the Argo CD API server."
  value       = "argocd-server.${terraform_data.argocd_release.output.namespace}.svc.cluster.local"
}

output "argocd_url" {
  description = "URL of the Argo CD server (UI and API): the environment's devops-app.io/argocd-url annotation."
  # Local: no Argo CD runs here; the address a port-forward gives, or a test's stand-in.
  value = var.sandbox_argocd_url
}

output "argo_rollouts_namespace" {
  description = "Namespace of the Argo Rollouts controller."
  value       = terraform_data.argo_rollouts_release.output.namespace
}

output "prometheus_namespace" {
  description = "Namespace of the kube-prometheus-stack release."
  value       = terraform_data.kube_prometheus_stack_release.output.namespace
}

output "prometheus_url" {
  description = "In-cluster URL of the Prometheus HTTP API."
  # Local: the Prometheus `make start` runs, or a test's own (sandbox_prometheus_url).
  value = var.sandbox_prometheus_url
}

output "grafana_url" {
  description = "In-cluster URL of Grafana."
  value       = "http://${local.prometheus_release}-grafana.${terraform_data.kube_prometheus_stack_release.output.namespace}.svc.cluster.local"
}

output "datadog_namespace" {
  description = "Namespace of the Datadog agent."
  value       = terraform_data.datadog_release.output.namespace
}

output "datadog_site" {
  description = "Datadog site the agents report to."
  value       = terraform_data.datadog_release.output.site
}

output "chart_versions" {
  description = "Chart versions installed, by chart name."
  value = {
    for release in [
      terraform_data.argocd_release, terraform_data.argo_rollouts_release,
      terraform_data.kube_prometheus_stack_release, terraform_data.datadog_release,
    ] : release.output.chart => release.output.version
  }
}

output "backstage_reader_cluster_role" {
  description = "ClusterRole of the portal's read access (get, list, watch on what the Kubernetes tab shows beyond the RBAC Reader role), bound to the cluster stack's portal_reader_principal_ids."
  value       = terraform_data.backstage_reader.output.cluster_role
}

output "backstage_reader_subjects" {
  description = "Entra object IDs the backstage-reader ClusterRole is bound to (the portal's managed identity); empty when the cluster stack names none."
  value       = terraform_data.backstage_reader.output.subjects
}

output "argocd_portal_account" {
  description = "Argo CD local account of the portal (apiKey only); its token, made once with argocd account generate-token, is the portal's ARGOCD_TOKEN."
  value       = local.argocd_portal_account
}
