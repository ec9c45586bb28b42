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
  value       = "https://${terraform_data.kubernetes_cluster.output.fqdn}:443"
}

output "cluster_ca_certificate" {
  description = "Base64-encoded PEM certificate of the cluster's certificate authority, for clients of kube_api_host."
  value       = base64encode("-----BEGIN CERTIFICATE-----\nsandbox: no certificate authority exists\n-----END CERTIFICATE-----\n")
  sensitive   = true
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster's service-account tokens; identities federate with it for workload identity."
  value       = local.oidc_issuer_url
}

output "log_analytics_workspace_id" {
  description = "Azure resource ID of the Log Analytics workspace that receives container insights."
  value       = terraform_data.log_analytics_workspace.output.id
}
