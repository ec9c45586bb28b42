locals {
  name = "${var.name_prefix}-${var.environment}"
  # Patch upgrades and node image upgrades both wait for the environment's window.
  maintenance_window    = var.maintenance_window
  system_node_max_count = coalesce(var.system_node_max_count, min(var.system_node_count + 2, 100))
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

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = local.maintenance_window.day_of_week
    start_time  = local.maintenance_window.start_time
    duration    = local.maintenance_window.duration_hours
    utc_offset  = local.maintenance_window.utc_offset
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = local.maintenance_window.day_of_week
    start_time  = local.maintenance_window.start_time
    duration    = local.maintenance_window.duration_hours
    utc_offset  = local.maintenance_window.utc_offset
  }

  # Entra ID sign-in with Azure RBAC for authorisation; no static admin credentials exist. The admin
  # groups, the deploying principal and cluster_admin_principal_ids get RBAC Cluster Admin (access.tf).
  role_based_access_control_enabled = true
  local_account_disabled            = true
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = var.admin_group_object_ids
  }

  # Either a private API server or a public one limited to the authorized ranges (the variables'
  # validations refuse a production-class environment with neither).
  private_cluster_enabled = var.private_cluster_enabled
  dynamic "api_server_access_profile" {
    for_each = length(var.api_server_authorized_ip_ranges) > 0 ? [1] : []
    content {
      authorized_ip_ranges = var.api_server_authorized_ip_ranges
    }
  }

  # Workload identity lets the inference pods exchange their service-account token for an Entra ID
  # token (the storage stack federates an identity with this issuer).
  oidc_issuer_enabled       = true
  workload_identity_enabled = true

  # The baseline of Azure Verified Modules' AKS module: Azure Policy add-on, Key Vault secrets provider
  # (CSI driver, rotating), Defender for Containers reporting into the workspace.
  azure_policy_enabled = true
  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }
  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  }

  default_node_pool {
    name                         = "system"
    vm_size                      = var.system_node_vm_size
    auto_scaling_enabled         = true
    node_count                   = var.system_node_count
    min_count                    = var.system_node_count
    max_count                    = local.system_node_max_count
    zones                        = var.availability_zones
    vnet_subnet_id               = azurerm_subnet.nodes.id
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
    # The overlay's ranges; virtual_network_address_space must not overlap them.
    pod_cidr       = "10.244.0.0/16"
    service_cidr   = "10.0.0.0/16"
    dns_service_ip = "10.0.0.10"
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.this.id
    msi_auth_for_monitoring_enabled = true
  }

  tags = local.tags

  lifecycle {
    # The autoscaler owns the system pool's current size between min_count and max_count.
    ignore_changes = [default_node_pool[0].node_count]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  vm_size               = var.user_node_vm_size
  zones                 = var.availability_zones
  vnet_subnet_id        = azurerm_subnet.nodes.id
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
