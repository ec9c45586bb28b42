# Trained models: a private container, written by the training Job's own identity (main.tf, federated
# with the training service account) and by nothing else.
resource "azurerm_storage_container" "models" {
  name                  = local.models_container
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_role_assignment" "training_models_contributor" {
  scope                = azurerm_storage_container.models.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.workload["training"].principal_id
  principal_type       = "ServicePrincipal"
}
