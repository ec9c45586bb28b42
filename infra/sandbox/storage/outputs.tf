output "resource_group_name" {
  description = "Resource group of the storage account and the inference identity."
  value       = terraform_data.resource_group.output.name
}

output "storage_account_name" {
  description = "Name of the storage account for treated images."
  value       = terraform_data.storage_account.output.name
}

output "storage_account_id" {
  description = "Azure resource ID of the storage account."
  value       = terraform_data.storage_account.output.id
}

output "blob_endpoint" {
  description = "Blob service URL of the account: the inference service's AZURE_STORAGE_ACCOUNT_URL."
  value       = terraform_data.storage_account.output.primary_blob_endpoint
}

output "container_name" {
  description = "Private container for treated images: the inference service's BLOB_CONTAINER."
  value       = terraform_data.treated_images_container.output.name
}

output "inference_identity_client_id" {
  description = "Client ID of the inference identity: the service account's azure.workload.identity/client-id annotation and the pods' AZURE_CLIENT_ID."
  value       = terraform_data.workload_identity["inference"].id
}

output "inference_identity_principal_id" {
  description = "Object ID of the inference identity, for further role assignments."
  value       = terraform_data.inference_blob_contributor.output.principal_id
}

output "federated_issuer" {
  description = "OIDC issuer the inference identity trusts (the cluster's oidc_issuer_url)."
  value       = terraform_data.workload_federated_credential["inference"].output.issuer
}

output "federated_subject" {
  description = "Service-account subject the inference identity trusts: system:serviceaccount:<namespace>:<service account>."
  value       = terraform_data.workload_federated_credential["inference"].output.subject
}

output "models_container_name" {
  description = "Private container for trained model artifacts (models): the training Job writes to it, the inference service reads its model from it (MODEL_CONTAINER)."
  value       = terraform_data.models_container.output.name
}

output "training_identity_client_id" {
  description = "Client ID of the training identity (Storage Blob Data Contributor on the models container only): the training service account's azure.workload.identity/client-id annotation."
  value       = terraform_data.workload_identity["training"].id
}

output "training_identity_principal_id" {
  description = "Object ID of the training identity, for further role assignments."
  value       = terraform_data.training_models_contributor.output.principal_id
}

output "training_federated_subject" {
  description = "Service-account subject the training identity trusts: system:serviceaccount:<namespace>:<training service account>."
  value       = terraform_data.workload_federated_credential["training"].output.subject
}

output "deletion_locked" {
  description = "Whether the storage account carries a CanNotDelete management lock (production-class environments)."
  value       = length(terraform_data.delete_lock) > 0
}
