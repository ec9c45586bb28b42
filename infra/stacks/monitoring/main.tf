# The cluster stack's outputs are this stack's only view of the cluster.
data "terraform_remote_state" "cluster" {
  backend = "azurerm"
  config = {
    resource_group_name  = var.state_resource_group_name
    storage_account_name = var.state_storage_account_name
    container_name       = var.state_container_name
    key                  = "cluster.tfstate"
    use_azuread_auth     = true
  }

  lifecycle {
    postcondition {
      condition     = try(self.outputs.environment, null) == var.environment
      error_message = "The cluster state in the container named by state_container_name has no outputs for this environment: apply the cluster stack of the same environment first, and check the state_* variables against infra/environments/<env>/backend.hcl."
    }
  }
}

module "argocd" {
  source = "../../modules/argocd"

  argocd_chart_version        = var.argocd_chart_version
  argo_rollouts_chart_version = var.argo_rollouts_chart_version
  high_availability           = var.argocd_high_availability
}

module "prometheus" {
  source = "../../modules/prometheus"

  environment            = var.environment
  cluster_name           = local.cluster.cluster_name
  chart_version          = var.kube_prometheus_stack_chart_version
  retention              = var.prometheus_retention
  storage_size           = var.prometheus_storage_size
  grafana_admin_password = var.grafana_admin_password
}

module "datadog" {
  source = "../../modules/datadog"

  environment   = var.environment
  cluster_name  = local.cluster.cluster_name
  chart_version = var.datadog_chart_version
  site          = var.datadog_site
  api_key       = var.datadog_api_key
  app_key       = var.datadog_app_key
}
