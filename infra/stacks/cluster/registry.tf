# The environment's container registry: the inference and training images are pushed (or imported with
# `az acr import` when promoted from another environment) here, and the cluster's kubelet identity pulls
# them with AcrPull. No admin user, no anonymous pull: pulls use Entra ID only.
locals {
  container_registry_name = coalesce(var.container_registry_name, "acr${replace(local.name, "-", "")}")
}

resource "azurerm_container_registry" "this" {
  name                = local.container_registry_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  sku                 = var.container_registry_sku

  admin_enabled          = false
  anonymous_pull_enabled = false
  # Premium only: replicas in every zone of the region.
  zone_redundancy_enabled = var.container_registry_sku == "Premium" && length(var.availability_zones) > 0

  tags = local.tags
}

resource "azurerm_role_assignment" "kubelet_acr_pull" {
  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
  # The kubelet identity is a managed identity the cluster just created: skip the directory lookup.
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

resource "azurerm_monitor_diagnostic_setting" "container_registry" {
  name                       = "to-log-analytics"
  target_resource_id         = azurerm_container_registry.this.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  enabled_log {
    category_group = "allLogs"
  }
  enabled_metric {
    category = "AllMetrics"
  }
}
