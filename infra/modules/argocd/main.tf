locals {
  replicas = var.high_availability ? 2 : 1

  # The portal's Argo CD rights, and nothing more: read and sync the applications of its project, and
  # run the Rollout resource actions (promote, abort, ...) on them. The /argocd/api proxy only reads.
  portal_policy = [
    "p, ${var.portal_account}, applications, get, ${var.portal_project}/*, allow",
    "p, ${var.portal_account}, applications, sync, ${var.portal_project}/*, allow",
    "p, ${var.portal_account}, applications, action/argoproj.io/Rollout/*, ${var.portal_project}/*, allow",
  ]
}

resource "kubernetes_namespace_v1" "argocd" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of" = "argocd"
    }
  }
}

resource "kubernetes_namespace_v1" "rollouts" {
  metadata {
    name = var.rollouts_namespace
    labels = {
      "app.kubernetes.io/part-of" = "argo-rollouts"
    }
  }
}

resource "helm_release" "argocd" {
  name          = "argocd"
  namespace     = kubernetes_namespace_v1.argocd.metadata[0].name
  repository    = var.repository
  chart         = "argo-cd"
  version       = var.argocd_chart_version
  atomic        = true
  max_history   = 10
  wait_for_jobs = true

  values = [yamlencode({
    # Release name "argocd" would otherwise prefix every object as argocd-argocd-*.
    fullnameOverride = "argocd"
    crds = {
      # Deleting the release must not delete every Application in the cluster with its CRD.
      keep = true
    }
    # Sign-in goes through the portal's OIDC provider, configured outside this module.
    dex        = { enabled = false }
    "redis-ha" = { enabled = var.high_availability }
    redis      = { enabled = !var.high_availability }
    server = {
      replicas = local.replicas
    }
    repoServer = {
      replicas = local.replicas
    }
    applicationSet = {
      replicas = local.replicas
    }
    configs = {
      # A local account for the portal: API tokens only (apiKey), no UI login. Its token is made once
      # with `argocd account generate-token --account <portal_account>` (infra/README.md).
      cm = {
        "accounts.${var.portal_account}" = "apiKey"
      }
      rbac = {
        "policy.csv" = join("\n", local.portal_policy)
        # No fallback role: an account gets only what policy.csv grants it.
        "policy.default" = ""
      }
    }
  })]
}

resource "helm_release" "argo_rollouts" {
  name        = "argo-rollouts"
  namespace   = kubernetes_namespace_v1.rollouts.metadata[0].name
  repository  = var.repository
  chart       = "argo-rollouts"
  version     = var.argo_rollouts_chart_version
  atomic      = true
  max_history = 10

  values = [yamlencode({
    installCRDs = true
    keepCRDs    = true
    controller = {
      replicas = local.replicas
    }
    # Promote and abort go through Argo CD resource actions from the portal, not the dashboard.
    dashboard = { enabled = false }
  })]
}
