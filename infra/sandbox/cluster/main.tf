# Stand-in for infra/stacks/cluster: the same inputs, validations and outputs, with every Azure resource
# replaced by a terraform_data record of what would have been created. Nothing leaves this machine.

locals {
  name = "${var.name_prefix}-${var.environment}"
  tags = merge(var.tags, {
    environment = var.environment
    stack       = "cluster"
    managed-by  = "terraform"
  })
  # A fixed, obviously fake subscription so that IDs have the real shape.
  subscription_id = "00000000-0000-0000-0000-000000000000"
  resource_group  = "/subscriptions/${local.subscription_id}/resourceGroups/rg-${local.name}"
}

resource "terraform_data" "delay" {
  count = var.sandbox_delay_seconds > 0 ? 1 : 0

  input = var.sandbox_delay_seconds

  provisioner "local-exec" {
    command = "sleep ${var.sandbox_delay_seconds}"
  }
}

resource "terraform_data" "resource_group" {
  input = {
    id       = local.resource_group
    name     = "rg-${local.name}"
    location = var.location
    tags     = local.tags
  }

  depends_on = [terraform_data.delay]
}

resource "terraform_data" "log_analytics_workspace" {
  input = {
    id                = "${terraform_data.resource_group.output.id}/providers/Microsoft.OperationalInsights/workspaces/log-${local.name}"
    retention_in_days = var.log_retention_days
  }
}

resource "terraform_data" "virtual_network" {
  input = {
    id            = "${terraform_data.resource_group.output.id}/providers/Microsoft.Network/virtualNetworks/vnet-${local.name}"
    address_space = [var.virtual_network_address_space]
    subnets = {
      nodes             = cidrsubnet(var.virtual_network_address_space, 1, 0)
      private-endpoints = cidrsubnet(var.virtual_network_address_space, 4, 8)
    }
  }
}

resource "terraform_data" "kubernetes_cluster" {
  input = {
    id                      = "${terraform_data.resource_group.output.id}/providers/Microsoft.ContainerService/managedClusters/aks-${local.name}"
    name                    = "aks-${local.name}"
    fqdn                    = "${local.name}-sandbox.hcp.${var.location}.azmk8s.io"
    kubernetes_version      = var.kubernetes_version
    sku_tier                = var.sku_tier
    azure_rbac_enabled      = true
    admin_group_object_ids  = var.admin_group_object_ids
    workload_identity       = true
    private_cluster_enabled = var.private_cluster_enabled
    authorized_ip_ranges    = var.api_server_authorized_ip_ranges
    maintenance_window      = var.maintenance_window
    # The baseline the real stack sets: Azure Policy, Key Vault secrets provider, Defender.
    azure_policy_enabled       = true
    key_vault_secrets_provider = true
    microsoft_defender         = true
    system_node_pool = {
      vm_size   = var.system_node_vm_size
      min_count = var.system_node_count
      max_count = coalesce(var.system_node_max_count, min(var.system_node_count + 2, 100))
      zones     = var.availability_zones
      subnet_id = "${terraform_data.virtual_network.output.id}/subnets/snet-nodes"
    }
    log_analytics_workspace_id = terraform_data.log_analytics_workspace.output.id
  }
}

resource "terraform_data" "cluster_diagnostic_setting" {
  input = {
    target_resource_id         = terraform_data.kubernetes_cluster.output.id
    log_analytics_workspace_id = terraform_data.log_analytics_workspace.output.id
  }
}

resource "terraform_data" "user_node_pool" {
  input = {
    cluster_id = terraform_data.kubernetes_cluster.output.id
    vm_size    = var.user_node_vm_size
    min_count  = var.user_node_min_count
    max_count  = var.user_node_max_count
    zones      = var.availability_zones
  }
}

# The record's random ID stands in for the object ID of the principal running Terraform.
resource "terraform_data" "deployer" {
  input = "sandbox deploying principal"
}

resource "terraform_data" "cluster_admin" {
  for_each = merge(
    { deployer = terraform_data.deployer.id },
    { for id in var.admin_group_object_ids : "group-${id}" => id },
    { for id in var.cluster_admin_principal_ids : "principal-${id}" => id },
  )

  input = {
    scope        = terraform_data.kubernetes_cluster.output.id
    role         = "Azure Kubernetes Service RBAC Cluster Admin"
    principal_id = each.value
  }
}

resource "terraform_data" "portal_reader" {
  for_each = toset(var.portal_reader_principal_ids)

  input = {
    scope        = terraform_data.kubernetes_cluster.output.id
    role         = "Azure Kubernetes Service RBAC Reader"
    principal_id = each.value
  }
}

# The kubelet identity's object ID is only known once the cluster exists: this record's random ID.
resource "terraform_data" "kubelet_identity" {
  input = {
    cluster_id = terraform_data.kubernetes_cluster.output.id
  }
}

resource "terraform_data" "container_registry" {
  input = {
    id           = "${terraform_data.resource_group.output.id}/providers/Microsoft.ContainerRegistry/registries/${coalesce(var.container_registry_name, "acr${replace(local.name, "-", "")}")}"
    login_server = lower("${coalesce(var.container_registry_name, "acr${replace(local.name, "-", "")}")}.azurecr.io")
    sku          = var.container_registry_sku
  }
}

resource "terraform_data" "kubelet_acr_pull" {
  input = {
    scope        = terraform_data.container_registry.output.id
    role         = "AcrPull"
    principal_id = terraform_data.kubelet_identity.id
  }
}

locals {
  # Like AKS, the issuer URL is only known once the cluster exists: it embeds the record's random ID.
  oidc_issuer_url = "https://${var.location}.oic.prod-aks.azure.com/${local.subscription_id}/${terraform_data.kubernetes_cluster.id}/"
}

locals {
  # No certificate authority exists here: a placeholder shaped like the real output (base64 PEM), unless a
  # test brings the CA of its own stand-in API server.
  cluster_ca_certificate = coalesce(
    var.sandbox_cluster_ca_certificate,
    base64encode("-----BEGIN CERTIFICATE-----\nsandbox: no certificate authority exists\n-----END CERTIFICATE-----\n"),
  )
}
