# The cluster's own virtual network: the nodes' subnet, and a subnet for private endpoints, where the
# storage stack puts its account's (the account has no public network access).
resource "azurerm_virtual_network" "this" {
  name                = "vnet-${local.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  address_space       = [var.virtual_network_address_space]
  tags                = local.tags
}

resource "azurerm_subnet" "nodes" {
  name                 = "snet-nodes"
  resource_group_name  = azurerm_resource_group.this.name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = [cidrsubnet(var.virtual_network_address_space, 1, 0)]
}

resource "azurerm_subnet" "private_endpoints" {
  name                 = "snet-private-endpoints"
  resource_group_name  = azurerm_resource_group.this.name
  virtual_network_name = azurerm_virtual_network.this.name
  # The first /27-or-larger block of the second half: 1/16 of the space, at least 32 addresses.
  address_prefixes = [cidrsubnet(var.virtual_network_address_space, 4, 8)]

  private_endpoint_network_policies = "Enabled"
}
