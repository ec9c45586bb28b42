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
