output "namespace" {
  description = "Namespace of the kube-prometheus-stack release."
  value       = helm_release.kube_prometheus_stack.namespace
}

output "prometheus_url" {
  description = "In-cluster URL of the Prometheus HTTP API (the portal's devopsApp.prometheus.baseUrl when it runs in the cluster)."
  value       = "http://${local.release}-prometheus.${helm_release.kube_prometheus_stack.namespace}.svc.cluster.local:9090"
}

output "grafana_url" {
  description = "In-cluster URL of Grafana."
  value       = "http://${local.release}-grafana.${helm_release.kube_prometheus_stack.namespace}.svc.cluster.local"
}

output "chart_version" {
  description = "Version of the kube-prometheus-stack chart installed."
  value       = helm_release.kube_prometheus_stack.version
}
