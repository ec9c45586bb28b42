output "namespace" {
  description = "Namespace of the Argo CD release; Applications and AppProjects belong here."
  value       = helm_release.argocd.namespace
}

output "server_host" {
  description = "In-cluster DNS name of the Argo CD API server service (HTTPS on 443)."
  value       = "argocd-server.${helm_release.argocd.namespace}.svc.cluster.local"
}

output "rollouts_namespace" {
  description = "Namespace of the Argo Rollouts controller."
  value       = helm_release.argo_rollouts.namespace
}

output "chart_versions" {
  description = "Chart versions installed, by chart name."
  value = {
    argo-cd       = helm_release.argocd.version
    argo-rollouts = helm_release.argo_rollouts.version
  }
}

output "portal_account" {
  description = "Argo CD local account of the portal; generate its token with argocd account generate-token --account <name>."
  value       = var.portal_account
}

output "portal_policy" {
  description = "The Argo CD RBAC lines (policy.csv) granted to the portal account."
  value       = local.portal_policy
}
