# Stand-in for infra/stacks/storage: the same inputs, validations and outputs. It reads the sandbox
# cluster's state exactly as the real stack reads the real one and records each Azure resource it
# would create as a terraform_data.

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
  cluster   = data.terraform_remote_state.cluster.outputs
  namespace = coalesce(var.inference_namespace, "inference-${var.environment}")
  tags = merge(var.tags, {
    environment = var.environment
    stack       = "storage"
    managed-by  = "terraform"
  })
  subscription_id  = "00000000-0000-0000-0000-000000000000"
  models_container = "models"
  workload_service_accounts = {
    inference = var.inference_service_account
    training  = var.training_service_account
  }
  # What stacks/storage/network.tf derives: the endpoint's subnet and its virtual network.
  private_endpoint_subnet_id  = coalesce(var.private_endpoint_subnet_id, local.cluster.private_endpoint_subnet_id)
  private_endpoint_network_id = regex("^(.+)/subnets/[^/]+$", local.private_endpoint_subnet_id)[0]
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
    id       = "/subscriptions/${local.subscription_id}/resourceGroups/${local.cluster.resource_group_name}-storage"
    name     = "${local.cluster.resource_group_name}-storage"
    location = local.cluster.location
    tags     = local.tags
  }

  depends_on = [terraform_data.delay]
}

resource "terraform_data" "storage_account" {
  input = {
    id                              = "${terraform_data.resource_group.output.id}/providers/Microsoft.Storage/storageAccounts/${var.storage_account_name}"
    name                            = var.storage_account_name
    primary_blob_endpoint           = "https://${var.storage_account_name}.blob.core.windows.net/"
    account_replication_type        = var.account_replication_type
    min_tls_version                 = "TLS1_2"
    allow_nested_items_to_be_public = false
    shared_access_key_enabled       = false
    public_network_access_enabled   = false
    versioning_enabled              = true
    change_feed_enabled             = true
    change_feed_retention_in_days   = var.change_feed_retention_days
    soft_delete_days                = var.soft_delete_days
  }
}

resource "terraform_data" "treated_images_container" {
  input = {
    id                    = "${terraform_data.storage_account.output.id}/blobServices/default/containers/${var.container_name}"
    name                  = var.container_name
    container_access_type = "private"
  }
}

resource "terraform_data" "treated_images_lifecycle" {
  input = {
    storage_account_id = terraform_data.storage_account.output.id
    prefix_match       = ["${terraform_data.treated_images_container.output.name}/"]
    cool_after_days    = var.cool_after_days
    delete_after_days  = var.retention_days
  }
}

# One identity per workload, each federated with its own service account; the record's random ID stands
# in for the client ID Entra ID assigns.
resource "terraform_data" "workload_identity" {
  for_each = local.workload_service_accounts

  input = {
    name                = "id-${each.key}-${var.environment}"
    resource_group_name = terraform_data.resource_group.output.name
  }
}

resource "terraform_data" "workload_federated_credential" {
  for_each = local.workload_service_accounts

  input = {
    identity_client_id = terraform_data.workload_identity[each.key].id
    audience           = ["api://AzureADTokenExchange"]
    issuer             = local.cluster.oidc_issuer_url
    subject            = "system:serviceaccount:${local.namespace}:${each.value}"
  }

  lifecycle {
    precondition {
      condition     = startswith(local.cluster.oidc_issuer_url, "https://")
      error_message = "The cluster stack's oidc_issuer_url is not an https URL: the cluster needs its OIDC issuer enabled."
    }
  }
}

resource "terraform_data" "inference_blob_contributor" {
  input = {
    scope        = terraform_data.treated_images_container.output.id
    role         = "Storage Blob Data Contributor"
    principal_id = terraform_data.workload_identity["inference"].id
  }
}

resource "terraform_data" "inference_models_reader" {
  input = {
    scope        = terraform_data.models_container.output.id
    role         = "Storage Blob Data Reader"
    principal_id = terraform_data.workload_identity["inference"].id
  }
}

resource "terraform_data" "models_container" {
  input = {
    id                    = "${terraform_data.storage_account.output.id}/blobServices/default/containers/${local.models_container}"
    name                  = local.models_container
    container_access_type = "private"
  }
}

resource "terraform_data" "training_models_contributor" {
  input = {
    scope        = terraform_data.models_container.output.id
    role         = "Storage Blob Data Contributor"
    principal_id = terraform_data.workload_identity["training"].id
  }
}

resource "terraform_data" "blob_private_endpoint" {
  input = {
    subnet_id             = local.private_endpoint_subnet_id
    private_dns_zone      = "privatelink.blob.core.windows.net"
    dns_zone_linked_to    = local.private_endpoint_network_id
    private_connection_to = terraform_data.storage_account.output.id
  }
}

resource "terraform_data" "diagnostic_settings" {
  input = {
    targets                    = [terraform_data.storage_account.output.id, "${terraform_data.storage_account.output.id}/blobServices/default"]
    log_analytics_workspace_id = local.cluster.log_analytics_workspace_id
  }
}

resource "terraform_data" "delete_lock" {
  count = local.cluster.production_class ? 1 : 0

  input = {
    scope      = terraform_data.storage_account.output.id
    lock_level = "CanNotDelete"
  }
}
