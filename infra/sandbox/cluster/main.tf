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

resource "terraform_data" "kubernetes_cluster" {
  input = {
    id                 = "${terraform_data.resource_group.output.id}/providers/Microsoft.ContainerService/managedClusters/aks-${local.name}"
    name               = "aks-${local.name}"
    fqdn               = "${local.name}-sandbox.hcp.${var.location}.azmk8s.io"
    kubernetes_version = var.kubernetes_version
    sku_tier           = var.sku_tier
    azure_rbac_enabled = true
    workload_identity  = true
    system_node_pool = {
      vm_size    = var.system_node_vm_size
      node_count = var.system_node_count
      zones      = var.availability_zones
    }
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

resource "terraform_data" "cluster_admin" {
  for_each = toset(var.cluster_admin_principal_ids)

  input = {
    scope        = terraform_data.kubernetes_cluster.output.id
    principal_id = each.value
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
