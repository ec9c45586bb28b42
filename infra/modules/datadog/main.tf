locals {
  keys_secret_name = "datadog-keys"
}

resource "kubernetes_namespace_v1" "datadog" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of" = "datadog"
    }
  }
}

# The chart reads the keys from this secret, so they never appear in the Helm release's values
# (which anyone with read access to Helm's release secrets could decode).
resource "kubernetes_secret_v1" "keys" {
  metadata {
    name      = local.keys_secret_name
    namespace = kubernetes_namespace_v1.datadog.metadata[0].name
  }

  data = {
    api-key = var.api_key
    app-key = var.app_key
  }
}

resource "helm_release" "datadog" {
  name        = "datadog"
  namespace   = kubernetes_namespace_v1.datadog.metadata[0].name
  repository  = var.repository
  chart       = "datadog"
  version     = var.chart_version
  atomic      = true
  max_history = 10

  values = [yamlencode({
    providers = {
      # The chart cannot detect AKS by itself (kubelet certificates and host names differ).
      aks = { enabled = true }
    }
    datadog = {
      site                 = var.site
      clusterName          = var.cluster_name
      apiKeyExistingSecret = kubernetes_secret_v1.keys.metadata[0].name
      appKeyExistingSecret = kubernetes_secret_v1.keys.metadata[0].name
      tags                 = ["env:${var.environment}"]
      logs = {
        enabled             = true
        containerCollectAll = true
      }
      apm = {
        # Pods reach the agent on their node's IP (DD_AGENT_HOST from status.hostIP) on 8126.
        portEnabled = true
      }
      otlp = {
        receiver = {
          protocols = {
            grpc = { enabled = true, endpoint = "0.0.0.0:4317" }
            http = { enabled = true, endpoint = "0.0.0.0:4318" }
          }
        }
        logs = { enabled = true }
      }
      kubeStateMetricsCore = { enabled = true }
    }
    clusterAgent = {
      enabled         = true
      metricsProvider = { enabled = true }
    }
  })]
}
