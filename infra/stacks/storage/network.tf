# The account has no public network access: the pods reach its blob service through a private endpoint
# in the cluster's virtual network (or private_endpoint_subnet_id), named by a private DNS zone linked
# to that network, so <account>.blob.core.windows.net resolves to the endpoint's private address there.
locals {
  private_endpoint_subnet_id = coalesce(var.private_endpoint_subnet_id, local.cluster.private_endpoint_subnet_id)
  # .../virtualNetworks/<name>/subnets/<name> -> the virtual network's ID.
  private_endpoint_network_id = regex("^(.+)/subnets/[^/]+$", local.private_endpoint_subnet_id)[0]
}

resource "azurerm_private_dns_zone" "blob" {
  name                = "privatelink.blob.core.windows.net"
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "blob" {
  name                  = "blob-${var.environment}"
  resource_group_name   = azurerm_resource_group.this.name
  private_dns_zone_name = azurerm_private_dns_zone.blob.name
  virtual_network_id    = local.private_endpoint_network_id
  tags                  = local.tags
}

resource "azurerm_private_endpoint" "blob" {
  name                = "pe-${var.storage_account_name}-blob"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  subnet_id           = local.private_endpoint_subnet_id
  tags                = local.tags

  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.this.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "blob"
    private_dns_zone_ids = [azurerm_private_dns_zone.blob.id]
  }
}

# Reads, writes and deletes of blobs, and the account's transactions, into the cluster's workspace.
resource "azurerm_monitor_diagnostic_setting" "blob" {
  name                       = "to-log-analytics"
  target_resource_id         = "${azurerm_storage_account.this.id}/blobServices/default"
  log_analytics_workspace_id = local.cluster.log_analytics_workspace_id

  enabled_log {
    category_group = "allLogs"
  }
  enabled_metric {
    category = "Transaction"
  }
}

resource "azurerm_monitor_diagnostic_setting" "storage_account" {
  name                       = "to-log-analytics"
  target_resource_id         = azurerm_storage_account.this.id
  log_analytics_workspace_id = local.cluster.log_analytics_workspace_id

  enabled_metric {
    category = "Transaction"
  }
}

# Production-class environments: the account (images, models) cannot be deleted, by Terraform or
# anyone else, until the lock is removed on purpose.
resource "azurerm_management_lock" "storage_account" {
  count = local.cluster.production_class ? 1 : 0

  name       = "do-not-delete"
  scope      = azurerm_storage_account.this.id
  lock_level = "CanNotDelete"
  notes      = "Production data (treated images, trained models): remove this lock on purpose before deleting the account."
}
