locals {
  release        = "kube-prometheus-stack"
  admin_secret   = "grafana-admin"
  admin_password = var.grafana_admin_password != null
}

resource "kubernetes_namespace_v1" "monitoring" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of" = "kube-prometheus-stack"
    }
  }
}

resource "kubernetes_secret_v1" "grafana_admin" {
  count = local.admin_password ? 1 : 0

  metadata {
    name      = local.admin_secret
    namespace = kubernetes_namespace_v1.monitoring.metadata[0].name
  }

  data = {
    admin-user     = "admin"
    admin-password = var.grafana_admin_password
  }
}

resource "helm_release" "kube_prometheus_stack" {
  name        = local.release
  namespace   = kubernetes_namespace_v1.monitoring.metadata[0].name
  repository  = var.repository
  chart       = "kube-prometheus-stack"
  version     = var.chart_version
  atomic      = true
  timeout     = 900
  max_history = 10

  values = [yamlencode({
    prometheus = {
      prometheusSpec = {
        retention = var.retention
        externalLabels = {
          environment = var.environment
          cluster     = var.cluster_name
        }
        # Pick up the ServiceMonitors and PrometheusRules of other releases (the inference chart's),
        # not only those labelled for this release.
        serviceMonitorSelectorNilUsesHelmValues = false
        podMonitorSelectorNilUsesHelmValues     = false
        ruleSelectorNilUsesHelmValues           = false
        probeSelectorNilUsesHelmValues          = false
        storageSpec = {
          volumeClaimTemplate = {
            spec = {
              accessModes = ["ReadWriteOnce"]
              resources   = { requests = { storage = var.storage_size } }
            }
          }
        }
      }
    }
    grafana = {
      enabled = true
      # An empty existingSecret is the chart's default: it generates the password itself.
      admin = {
        existingSecret = local.admin_password ? local.admin_secret : ""
        userKey        = "admin-user"
        passwordKey    = "admin-password"
      }
    }
  })]

  depends_on = [kubernetes_secret_v1.grafana_admin]
}
