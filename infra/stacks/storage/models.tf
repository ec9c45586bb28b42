# Trained models: a private container and the training Job's own identity, federated with the cluster's
# issuer for the training service account, allowed to write to that container and nothing else.
resource "azurerm_storage_container" "models" {
  name                  = local.models_container
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_user_assigned_identity" "training" {
  name                = "id-training-${var.environment}"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "training" {
  name                      = "kubernetes-${local.namespace}-${var.training_service_account}"
  user_assigned_identity_id = azurerm_user_assigned_identity.training.id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = local.cluster.oidc_issuer_url
  subject                   = "system:serviceaccount:${local.namespace}:${var.training_service_account}"
}

resource "azurerm_role_assignment" "training_models_contributor" {
  scope                = azurerm_storage_container.models.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.training.principal_id
  principal_type       = "ServicePrincipal"
}
