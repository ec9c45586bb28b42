# Identical to infra/stacks/storage/variables.tf, so that a tfvars file the sandbox accepts passes the real
# stack's validation too. The structure test fails when the two differ: edit both.

variable "environment" {
  type        = string
  description = "Name of the environment this stack belongs to (dev, pre-prod, prod, or one the portal created). Must match the cluster stack's environment."

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$", var.environment))
    error_message = "environment must be a lower-case DNS label of 1 to 24 characters: a-z, 0-9 and '-', starting with a letter and not ending with '-' (for example dev, pre-prod, load-test)."
  }
}

variable "state_resource_group_name" {
  type        = string
  description = "Resource group of the Terraform state storage account: the resource_group_name of infra/environments/<env>/backend.hcl."

  validation {
    condition     = can(regex("^[-\\w._()]{1,90}$", var.state_resource_group_name))
    error_message = "state_resource_group_name must be an Azure resource group name (1 to 90 letters, digits, '-', '_', '.', '(' and ')')."
  }
}

variable "state_storage_account_name" {
  type        = string
  description = "Storage account of the Terraform state: the storage_account_name of infra/environments/<env>/backend.hcl."

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.state_storage_account_name))
    error_message = "state_storage_account_name must be 3 to 24 lower-case letters and digits."
  }
}

variable "state_container_name" {
  type        = string
  description = "Blob container of this environment's Terraform state: the container_name of infra/environments/<env>/backend.hcl."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$", var.state_container_name)) && !strcontains(var.state_container_name, "--")
    error_message = "state_container_name must be a blob container name: 3 to 63 lower-case letters, digits and single '-', starting and ending with a letter or digit."
  }
}

variable "storage_account_name" {
  type        = string
  description = "Globally unique name of the storage account for treated images (3 to 24 lower-case letters and digits)."

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "storage_account_name must be 3 to 24 lower-case letters and digits."
  }
}

variable "account_replication_type" {
  type        = string
  description = "Replication of the storage account: LRS, ZRS, GRS, GZRS, RAGRS or RAGZRS."
  default     = "ZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"], var.account_replication_type)
    error_message = "account_replication_type must be one of LRS, ZRS, GRS, GZRS, RAGRS, RAGZRS."
  }
}

variable "container_name" {
  type        = string
  description = "Private blob container the inference service writes treated images to (its BLOB_CONTAINER)."
  default     = "treated-images"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$", var.container_name)) && !strcontains(var.container_name, "--")
    error_message = "container_name must be a blob container name: 3 to 63 lower-case letters, digits and single '-', starting and ending with a letter or digit."
  }
}

variable "cool_after_days" {
  type        = number
  description = "Days after its last change that a treated image moves to the cool tier."
  default     = 30

  validation {
    condition     = var.cool_after_days >= 0 && floor(var.cool_after_days) == var.cool_after_days
    error_message = "cool_after_days must be a whole number of days, 0 or more."
  }
}

variable "retention_days" {
  type        = number
  description = "Days after its last change that a treated image is deleted; longer than cool_after_days."

  validation {
    condition     = var.retention_days > var.cool_after_days && var.retention_days <= 99999 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days, greater than cool_after_days and at most 99999."
  }
}

variable "soft_delete_days" {
  type        = number
  description = "Days a deleted blob or container can still be restored (1 to 365)."
  default     = 7

  validation {
    condition     = var.soft_delete_days >= 1 && var.soft_delete_days <= 365 && floor(var.soft_delete_days) == var.soft_delete_days
    error_message = "soft_delete_days must be a whole number from 1 to 365."
  }
}

variable "inference_namespace" {
  type        = string
  description = "Kubernetes namespace of the inference service; null means inference-<environment>."
  default     = null

  validation {
    condition     = var.inference_namespace == null || can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.inference_namespace))
    error_message = "inference_namespace must be null or a Kubernetes namespace name (lower-case DNS label)."
  }
}

variable "inference_service_account" {
  type        = string
  description = "Name of the inference service's Kubernetes service account: the one charts/inference creates (its full name, inference) and annotates with the identity's client ID."
  default     = "inference"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", var.inference_service_account))
    error_message = "inference_service_account must be a Kubernetes object name (lower-case letters, digits, '.' and '-')."
  }
}

variable "training_service_account" {
  type        = string
  description = "Name of the Kubernetes service account the chart's training Job runs as, in the inference namespace; the training identity (Storage Blob Data Contributor on the models container only) is federated with it."
  default     = "inference-training"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", var.training_service_account)) && var.training_service_account != var.inference_service_account
    error_message = "training_service_account must be a Kubernetes object name (lower-case letters, digits, '.' and '-') other than inference_service_account: the training Job needs its own identity."
  }
}

variable "change_feed_retention_days" {
  type        = number
  description = "Days the blob change feed (every create, overwrite and delete) is kept (1 to 146000)."
  default     = 90

  validation {
    condition     = var.change_feed_retention_days >= 1 && var.change_feed_retention_days <= 146000 && floor(var.change_feed_retention_days) == var.change_feed_retention_days
    error_message = "change_feed_retention_days must be a whole number from 1 to 146000."
  }
}

variable "private_endpoint_subnet_id" {
  type        = string
  description = "Azure resource ID of the subnet for the account's blob private endpoint; null means the cluster stack's private_endpoint_subnet_id. The private DNS zone is linked to this subnet's virtual network."
  default     = null

  validation {
    condition     = var.private_endpoint_subnet_id == null || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+$", var.private_endpoint_subnet_id))
    error_message = "private_endpoint_subnet_id must be null or a subnet's resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource, on top of environment, stack and managed-by."
  default     = {}
}
