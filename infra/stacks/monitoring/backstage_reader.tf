# The portal's (Backstage's) read access for its Kubernetes tab. The portal signs in with its own
# managed identity and short-lived Entra ID tokens (catalog/resources.yaml: kubernetes.io/auth-provider:
# azure); no token is issued here and none is kept in state. The cluster stack gives that identity the
# Azure Kubernetes Service RBAC Reader role, which covers the built-in kinds; this ClusterRole adds what
# that role does not read (Argo's rollouts and analysisruns, pod metrics), bound to the same Entra object
# IDs (the cluster stack's portal_reader_principal_ids), which AKS's Kubernetes RBAC honours next to
# Azure RBAC: an Entra ID service principal's user name is its object ID.

locals {
  backstage_reader = "backstage-reader"
  portal_readers   = try(local.cluster.portal_reader_principal_ids, [])
}

resource "kubernetes_cluster_role_v1" "backstage_reader" {
  metadata {
    name = local.backstage_reader
    labels = {
      "app.kubernetes.io/part-of" = "backstage"
    }
  }

  # What @backstage/plugin-kubernetes-backend reads: its DEFAULT_OBJECTS, the pod metrics of
  # fetchPodMetricsForNamespace, and the customResources of app-config.production.yaml. Read verbs only,
  # never secrets (the tab does not show them; reading every Secret of the cluster is cluster admin).
  # Literal rules, so that infra/tests can check them (infra/tests/src/checks/access.ts).
  rule {
    api_groups = [""]
    resources  = ["pods", "services", "configmaps", "limitranges", "resourcequotas"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["apps"]
    resources  = ["deployments", "replicasets", "statefulsets", "daemonsets"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["autoscaling"]
    resources  = ["horizontalpodautoscalers"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["batch"]
    resources  = ["jobs", "cronjobs"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["ingresses"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["metrics.k8s.io"]
    resources  = ["pods"]
    verbs      = ["get", "list", "watch"]
  }
  rule {
    api_groups = ["argoproj.io"]
    resources  = ["rollouts", "analysisruns"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "backstage_reader" {
  count = length(local.portal_readers) > 0 ? 1 : 0

  metadata {
    name = local.backstage_reader
    labels = {
      "app.kubernetes.io/part-of" = "backstage"
    }
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.backstage_reader.metadata[0].name
  }
  dynamic "subject" {
    for_each = local.portal_readers
    content {
      api_group = "rbac.authorization.k8s.io"
      kind      = "User"
      name      = subject.value
    }
  }
}
