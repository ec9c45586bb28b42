output "environment" {
  description = "Environment this cluster serves."
  value       = var.environment
}

output "resource_group_name" {
  description = "Resource group that holds the cluster and its Log Analytics workspace."
  value       = terraform_data.resource_group.output.name
}

output "location" {
  description = "Azure region of the cluster; the storage stack places its resources here."
  value       = terraform_data.resource_group.output.location
}

output "cluster_name" {
  description = "Name of the AKS cluster (az aks get-credentials --name)."
  value       = terraform_data.kubernetes_cluster.output.name
}

output "cluster_id" {
  description = "Azure resource ID of the AKS cluster, the scope for role assignments on it."
  value       = terraform_data.kubernetes_cluster.output.id
}

output "kube_api_host" {
  description = "HTTPS address of the Kubernetes API server, used by the monitoring stack's kubernetes and helm providers."
  # Where a local client can reach an API server: a stand-in a test runs, or nothing (sandbox_kube_api_url).
  value = var.sandbox_kube_api_url
}

output "cluster_ca_certificate" {
  description = "Base64-encoded PEM certificate of the cluster's certificate authority, for clients of kube_api_host."
  value       = local.cluster_ca_certificate
  sensitive   = true
}

output "cluster_ca_certificate_public" {
  description = "The same CA certificate as cluster_ca_certificate, not marked sensitive: the catalog's kubernetes.io/api-server-certificate-authority annotation."
  value       = local.cluster_ca_certificate
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster's service-account tokens; identities federate with it for workload identity."
  value       = local.oidc_issuer_url
}

output "log_analytics_workspace_id" {
  description = "Azure resource ID of the Log Analytics workspace that receives container insights and the diagnostic settings (the storage stack sends its account's there too)."
  value       = terraform_data.log_analytics_workspace.output.id
}

output "production_class" {
  description = "Whether the environment is production-class (production_class): the storage stack then locks its account against deletion."
  value       = var.production_class
}

output "portal_reader_principal_ids" {
  description = "Entra object IDs with the Azure Kubernetes Service RBAC Reader role (the portal's identity); the monitoring stack binds the backstage-reader ClusterRole to them."
  value       = [for assignment in terraform_data.portal_reader : assignment.output.principal_id]
}

output "acr_login_server" {
  description = "Login server of the environment's container registry (for example acrdevopsappdev.azurecr.io): the registry part of the inference chart's image.repository and training.image.repository."
  value       = terraform_data.container_registry.output.login_server
}

output "container_registry_id" {
  description = "Azure resource ID of the container registry, the scope for AcrPush role assignments (CI) on it."
  value       = terraform_data.container_registry.output.id
}

output "kubelet_identity_object_id" {
  description = "Object ID of the cluster's kubelet identity, which has AcrPull on the container registry."
  value       = terraform_data.kubelet_acr_pull.output.principal_id
}

output "virtual_network_id" {
  description = "Azure resource ID of the cluster's virtual network; the storage stack links its private DNS zone to it."
  value       = terraform_data.virtual_network.output.id
}

output "private_endpoint_subnet_id" {
  description = "Azure resource ID of the subnet for private endpoints in the cluster's virtual network; the storage account's private endpoint goes here."
  value       = "${terraform_data.virtual_network.output.id}/subnets/snet-private-endpoints"
}
