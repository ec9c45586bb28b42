output "environment" {
  description = "Environment this cluster serves."
  value       = var.environment
}

output "resource_group_name" {
  description = "Resource group that holds the cluster and its Log Analytics workspace."
  value       = azurerm_resource_group.this.name
}

output "location" {
  description = "Azure region of the cluster; the storage stack places its resources here."
  value       = azurerm_resource_group.this.location
}

output "cluster_name" {
  description = "Name of the AKS cluster (az aks get-credentials --name)."
  value       = azurerm_kubernetes_cluster.this.name
}

output "cluster_id" {
  description = "Azure resource ID of the AKS cluster, the scope for role assignments on it."
  value       = azurerm_kubernetes_cluster.this.id
}

output "kube_api_host" {
  description = "HTTPS address of the Kubernetes API server, used by the monitoring stack's kubernetes and helm providers."
  value       = "https://${azurerm_kubernetes_cluster.this.fqdn}:443"
}

output "cluster_ca_certificate" {
  description = "Base64-encoded PEM certificate of the cluster's certificate authority, for clients of kube_api_host."
  value       = azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate
  sensitive   = true
}

output "cluster_ca_certificate_public" {
  description = "The same CA certificate as cluster_ca_certificate, not marked sensitive: the catalog's kubernetes.io/api-server-certificate-authority annotation."
  # A CA certificate is public data (every client of the API server is handed it), but the provider marks
  # the whole kube_config sensitive; the portal's run service never reads sensitive outputs, so the CA
  # it commits to the catalog comes from here. cluster_ca_certificate stays sensitive for its readers.
  value = nonsensitive(azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate)
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster's service-account tokens; identities federate with it for workload identity."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "log_analytics_workspace_id" {
  description = "Azure resource ID of the Log Analytics workspace that receives container insights."
  value       = azurerm_log_analytics_workspace.this.id
}
