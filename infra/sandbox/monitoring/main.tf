# Stand-in for infra/stacks/monitoring: the same inputs, validations and outputs. It reads the sandbox
# cluster's state exactly as the real stack reads the real one, and records each Helm release it would
# install as a terraform_data. The Datadog keys are accepted and never stored.

data "terraform_remote_state" "cluster" {
  backend = "local"
  config = {
    path = "${var.sandbox_state_dir}/${var.environment}/cluster.tfstate"
  }

  lifecycle {
    postcondition {
      condition     = try(self.outputs.environment, null) == var.environment
      error_message = "The cluster state in the container named by state_container_name has no outputs for this environment: apply the cluster stack of the same environment first, and check the state_* variables against infra/environments/<env>/backend.hcl."
    }
  }
}

locals {
  cluster = data.terraform_remote_state.cluster.outputs
  # The names the modules under infra/modules give their releases and services.
  argocd_namespace     = "argocd"
  rollouts_namespace   = "argo-rollouts"
  prometheus_namespace = "monitoring"
  datadog_namespace    = "datadog"
  prometheus_release   = "kube-prometheus-stack"
  # What stacks/monitoring/backstage_reader.tf creates, and the argocd module's portal account.
  backstage_reader      = "backstage-reader"
  portal_readers        = try(local.cluster.portal_reader_principal_ids, [])
  argocd_portal_account = "backstage"
}

resource "terraform_data" "delay" {
  count = var.sandbox_delay_seconds > 0 ? 1 : 0

  input = var.sandbox_delay_seconds

  provisioner "local-exec" {
    command = "sleep ${var.sandbox_delay_seconds}"
  }
}

resource "terraform_data" "argocd_release" {
  input = {
    cluster           = local.cluster.cluster_name
    kube_api_host     = local.cluster.kube_api_host
    namespace         = local.argocd_namespace
    chart             = "argo-cd"
    version           = var.argocd_chart_version
    high_availability = var.argocd_high_availability
  }

  depends_on = [terraform_data.delay]
}

resource "terraform_data" "argo_rollouts_release" {
  input = {
    cluster   = local.cluster.cluster_name
    namespace = local.rollouts_namespace
    chart     = "argo-rollouts"
    version   = var.argo_rollouts_chart_version
  }

  depends_on = [terraform_data.delay]
}

resource "terraform_data" "kube_prometheus_stack_release" {
  input = {
    cluster         = local.cluster.cluster_name
    namespace       = local.prometheus_namespace
    chart           = "kube-prometheus-stack"
    version         = var.kube_prometheus_stack_chart_version
    retention       = var.prometheus_retention
    storage_size    = var.prometheus_storage_size
    external_labels = { environment = var.environment, cluster = local.cluster.cluster_name }
  }

  depends_on = [terraform_data.delay]
}

resource "terraform_data" "datadog_release" {
  input = {
    cluster   = local.cluster.cluster_name
    namespace = local.datadog_namespace
    chart     = "datadog"
    version   = var.datadog_chart_version
    site      = var.datadog_site
    tags      = ["env:${var.environment}"]
  }

  depends_on = [terraform_data.delay]
}

# The portal's read access (the backstage-reader ClusterRole, bound to the portal's Entra object IDs):
# recorded, not created. No token exists: the portal signs in with short-lived Entra ID tokens.
resource "terraform_data" "backstage_reader" {
  input = {
    cluster      = local.cluster.cluster_name
    cluster_role = local.backstage_reader
    subjects     = local.portal_readers
  }

  depends_on = [terraform_data.delay]
}
