locals {
  name = "${var.name_prefix}-${var.environment}"
  tags = merge(var.tags, {
    environment = var.environment
    stack       = "cluster"
    managed-by  = "terraform"
  })
}

resource "azurerm_resource_group" "this" {
  name     = "rg-${local.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${local.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  # The agents authenticate with the cluster's managed identity; shared workspace keys stay off.
  local_authentication_enabled = false
  tags                         = local.tags
}

resource "azurerm_kubernetes_cluster" "this" {
  name                = "aks-${local.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  node_resource_group = "rg-${local.name}-nodes"
  dns_prefix          = local.name
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.sku_tier

  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"
  image_cleaner_enabled     = true

  image_cleaner_interval_hours = 48

  # Entra ID sign-in with Azure RBAC for authorisation; no static admin credentials exist.
  role_based_access_control_enabled = true
  local_account_disabled            = true
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }

  # Workload identity lets the inference pods exchange their service-account token for an Entra ID
  # token (the storage stack federates an identity with this issuer).
  oidc_issuer_enabled       = true
  workload_identity_enabled = true

  default_node_pool {
    name                         = "system"
    vm_size                      = var.system_node_vm_size
    node_count                   = var.system_node_count
    zones                        = var.availability_zones
    os_sku                       = "AzureLinux"
    only_critical_addons_enabled = true
    temporary_name_for_rotation  = "systemtmp"
    tags                         = local.tags

    upgrade_settings {
      max_surge = "33%"
    }
  }

  node_provisioning_profile {
    mode = "Manual"
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    load_balancer_sku   = "standard"
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.this.id
    msi_auth_for_monitoring_enabled = true
  }

  tags = local.tags
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  vm_size               = var.user_node_vm_size
  zones                 = var.availability_zones
  os_sku                = "AzureLinux"
  auto_scaling_enabled  = true
  min_count             = var.user_node_min_count
  max_count             = var.user_node_max_count
  node_labels = {
    "devops-app.io/pool" = "user"
  }
  tags = local.tags

  upgrade_settings {
    max_surge = "33%"
  }

  lifecycle {
    # The autoscaler owns the current size between min_count and max_count.
    ignore_changes = [node_count]
  }
}

resource "azurerm_role_assignment" "cluster_admin" {
  for_each = toset(var.cluster_admin_principal_ids)

  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = each.value
}
