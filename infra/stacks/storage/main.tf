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

locals {
  cluster   = data.terraform_remote_state.cluster.outputs
  namespace = coalesce(var.inference_namespace, "inference-${var.environment}")
  # The training Job writes versioned model artifacts here; the inference service loads them at start.
  models_container = "models"
  workload_service_accounts = {
    inference = var.inference_service_account
    training  = var.training_service_account
  }
  tags = merge(var.tags, {
    environment = var.environment
    stack       = "storage"
    managed-by  = "terraform"
  })
}

# Images outlive clusters: rebuilding the cluster stack must not touch this resource group.
resource "azurerm_resource_group" "this" {
  name     = "${local.cluster.resource_group_name}-storage"
  location = local.cluster.location
  tags     = local.tags
}

resource "azurerm_storage_account" "this" {
  name                     = var.storage_account_name
  resource_group_name      = azurerm_resource_group.this.name
  location                 = azurerm_resource_group.this.location
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.account_replication_type
  access_tier              = "Hot"

  https_traffic_only_enabled        = true
  min_tls_version                   = "TLS1_2"
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  # Reached through its private endpoint only (below); Azure Verified Modules' default too.
  public_network_access_enabled = false

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices", "Logging", "Metrics"]
  }

  blob_properties {
    # Every overwrite and delete keeps the previous version, and the change feed records it: a model or
    # image can be restored and every change audited.
    versioning_enabled            = true
    change_feed_enabled           = true
    change_feed_retention_in_days = var.change_feed_retention_days

    delete_retention_policy {
      days = var.soft_delete_days
    }
    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }

  tags = local.tags
}

resource "azurerm_storage_container" "treated_images" {
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_management_policy" "treated_images" {
  storage_account_id = azurerm_storage_account.this.id

  rule {
    name    = "age-out-treated-images"
    enabled = true

    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.treated_images.name}/"]
    }

    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = var.cool_after_days
        delete_after_days_since_modification_greater_than       = var.retention_days
      }
      snapshot {
        delete_after_days_since_creation_greater_than = var.retention_days
      }
      version {
        delete_after_days_since_creation = var.retention_days
      }
    }
  }
}

# The inference pods and the training Job sign in as these identities through workload identity: the
# cluster's OIDC issuer vouches for their service-account token, Entra ID exchanges it, and no storage key
# exists anywhere. One identity per workload, each trusting its own service account only.
resource "azurerm_user_assigned_identity" "workload" {
  for_each = local.workload_service_accounts

  name                = "id-${each.key}-${var.environment}"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  for_each = local.workload_service_accounts

  name                      = "kubernetes-${local.namespace}-${each.value}"
  user_assigned_identity_id = azurerm_user_assigned_identity.workload[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = local.cluster.oidc_issuer_url
  subject                   = "system:serviceaccount:${local.namespace}:${each.value}"

  lifecycle {
    precondition {
      condition     = startswith(local.cluster.oidc_issuer_url, "https://")
      error_message = "The cluster stack's oidc_issuer_url is not an https URL: the cluster needs its OIDC issuer enabled."
    }
  }
}

moved {
  from = azurerm_user_assigned_identity.inference
  to   = azurerm_user_assigned_identity.workload["inference"]
}

moved {
  from = azurerm_federated_identity_credential.inference
  to   = azurerm_federated_identity_credential.workload["inference"]
}

resource "azurerm_role_assignment" "inference_blob_contributor" {
  scope                = azurerm_storage_container.treated_images.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.workload["inference"].principal_id
  # A new identity takes a while to replicate; naming its type skips the directory lookup that fails meanwhile.
  principal_type = "ServicePrincipal"
}

# The service loads its model from the models container at start: read only.
resource "azurerm_role_assignment" "inference_models_reader" {
  scope                = azurerm_storage_container.models.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.workload["inference"].principal_id
  principal_type       = "ServicePrincipal"
}
