output "resource_group_name" {
  description = "Resource group of the storage account and the inference identity."
  value       = azurerm_resource_group.this.name
}

output "storage_account_name" {
  description = "Name of the storage account for treated images."
  value       = azurerm_storage_account.this.name
}

output "storage_account_id" {
  description = "Azure resource ID of the storage account."
  value       = azurerm_storage_account.this.id
}

output "blob_endpoint" {
  description = "Blob service URL of the account: the inference service's AZURE_STORAGE_ACCOUNT_URL."
  value       = azurerm_storage_account.this.primary_blob_endpoint
}

output "container_name" {
  description = "Private container for treated images: the inference service's BLOB_CONTAINER."
  value       = azurerm_storage_container.treated_images.name
}

output "inference_identity_client_id" {
  description = "Client ID of the inference identity: the service account's azure.workload.identity/client-id annotation and the pods' AZURE_CLIENT_ID."
  value       = azurerm_user_assigned_identity.workload["inference"].client_id
}

output "inference_identity_principal_id" {
  description = "Object ID of the inference identity, for further role assignments."
  value       = azurerm_user_assigned_identity.workload["inference"].principal_id
}

output "federated_issuer" {
  description = "OIDC issuer the inference identity trusts (the cluster's oidc_issuer_url)."
  value       = azurerm_federated_identity_credential.workload["inference"].issuer
}

output "federated_subject" {
  description = "Service-account subject the inference identity trusts: system:serviceaccount:<namespace>:<service account>."
  value       = azurerm_federated_identity_credential.workload["inference"].subject
}

output "models_container_name" {
  description = "Private container for trained model artifacts (models): the training Job writes to it, the inference service reads its model from it (MODEL_CONTAINER)."
  value       = azurerm_storage_container.models.name
}

output "training_identity_client_id" {
  description = "Client ID of the training identity (Storage Blob Data Contributor on the models container only): the training service account's azure.workload.identity/client-id annotation."
  value       = azurerm_user_assigned_identity.workload["training"].client_id
}

output "training_identity_principal_id" {
  description = "Object ID of the training identity, for further role assignments."
  value       = azurerm_user_assigned_identity.workload["training"].principal_id
}

output "training_federated_subject" {
  description = "Service-account subject the training identity trusts: system:serviceaccount:<namespace>:<training service account>."
  value       = azurerm_federated_identity_credential.workload["training"].subject
}

output "deletion_locked" {
  description = "Whether the storage account carries a CanNotDelete management lock (production-class environments)."
  value       = length(azurerm_management_lock.storage_account) > 0
}
