# The portal's (Backstage's) read identity for its Kubernetes tab: a service account with read-only
# access to exactly the objects the kubernetes backend fetches, and a long-lived token for it
# (app-config.production.yaml: authProvider serviceAccount, AKS_SERVICE_ACCOUNT_TOKEN).
#
# It lives in its own `backstage` namespace rather than in Argo CD's: the token Secret then sits where
# nothing else does, so reading it can be granted (or audited) on its own, and the identity does not
# come and go with the argocd module's namespace.

locals {
  backstage_namespace = "backstage"
  backstage_reader    = "backstage-reader"
}

resource "kubernetes_namespace_v1" "backstage" {
  metadata {
    name = local.backstage_namespace
    labels = {
      "app.kubernetes.io/part-of" = "backstage"
    }
  }
}

resource "kubernetes_service_account_v1" "backstage_reader" {
  metadata {
    name      = local.backstage_reader
    namespace = kubernetes_namespace_v1.backstage.metadata[0].name
    labels = {
      "app.kubernetes.io/part-of" = "backstage"
    }
  }
  # The portal calls the API with the token below; nothing runs as this account in a pod.
  automount_service_account_token = false
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
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.backstage_reader.metadata[0].name
    namespace = kubernetes_service_account_v1.backstage_reader.metadata[0].namespace
  }
}

# A long-lived token: Kubernetes fills the Secret with a token for the account named in the annotation
# and keeps it until the Secret is deleted. Rotate by replacing it:
# terraform apply -replace=kubernetes_secret_v1.backstage_reader_token
resource "kubernetes_secret_v1" "backstage_reader_token" {
  metadata {
    name      = "${local.backstage_reader}-token"
    namespace = kubernetes_service_account_v1.backstage_reader.metadata[0].namespace
    annotations = {
      "kubernetes.io/service-account.name" = kubernetes_service_account_v1.backstage_reader.metadata[0].name
    }
  }
  type                           = "kubernetes.io/service-account-token"
  wait_for_service_account_token = true
}
