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
  # A private cluster's API server answers on its private FQDN only.
  value = "https://${var.private_cluster_enabled ? azurerm_kubernetes_cluster.this.private_fqdn : azurerm_kubernetes_cluster.this.fqdn}:443"
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
  description = "Azure resource ID of the Log Analytics workspace that receives container insights and the diagnostic settings (the storage stack sends its account's there too)."
  value       = azurerm_log_analytics_workspace.this.id
}

output "production_class" {
  description = "Whether the environment is production-class (production_class): the storage stack then locks its account against deletion."
  value       = var.production_class
}

output "portal_reader_principal_ids" {
  description = "Entra object IDs with the Azure Kubernetes Service RBAC Reader role (the portal's identity); the monitoring stack binds the backstage-reader ClusterRole to them."
  value       = var.portal_reader_principal_ids
}

output "acr_login_server" {
  description = "Login server of the environment's container registry (for example acrdevopsappdev.azurecr.io): the registry part of the inference chart's image.repository and training.image.repository."
  value       = azurerm_container_registry.this.login_server
}

output "container_registry_id" {
  description = "Azure resource ID of the container registry, the scope for AcrPush role assignments (CI) on it."
  value       = azurerm_container_registry.this.id
}

output "kubelet_identity_object_id" {
  description = "Object ID of the cluster's kubelet identity, which has AcrPull on the container registry."
  value       = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
}

output "virtual_network_id" {
  description = "Azure resource ID of the cluster's virtual network; the storage stack links its private DNS zone to it."
  value       = azurerm_virtual_network.this.id
}

output "private_endpoint_subnet_id" {
  description = "Azure resource ID of the subnet for private endpoints in the cluster's virtual network; the storage account's private endpoint goes here."
  value       = azurerm_subnet.private_endpoints.id
}
