output "namespace" {
  description = "Namespace of the Datadog agent release."
  value       = helm_release.datadog.namespace
}

output "site" {
  description = "Datadog site the agents report to; the portal links to https://app.<site>."
  value       = var.site
}

output "agent_ports" {
  description = "Host ports the node agent listens on for the workloads of its node: APM traces, OTLP over gRPC and over HTTP."
  value = {
    apm       = 8126
    otlp_grpc = 4317
    otlp_http = 4318
  }
}

output "chart_version" {
  description = "Version of the datadog chart installed."
  value       = helm_release.datadog.version
}
