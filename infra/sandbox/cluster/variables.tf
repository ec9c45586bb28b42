# Identical to infra/stacks/cluster/variables.tf, so that a tfvars file the sandbox accepts passes the real
# stack's validation too. The structure test fails when the two differ: edit both.

variable "environment" {
  type        = string
  description = "Name of the environment this stack belongs to (dev, pre-prod, prod, or one the portal created). Part of every resource name and of the Kubernetes namespace inference-<environment>."

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$", var.environment))
    error_message = "environment must be a lower-case DNS label of 1 to 24 characters: a-z, 0-9 and '-', starting with a letter and not ending with '-' (for example dev, pre-prod, load-test)."
  }
}

variable "location" {
  type        = string
  description = "Azure region of the resource group and the cluster, in the short form the Azure CLI prints (for example westeurope)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9]+$", var.location))
    error_message = "location must be an Azure region's short name: lower-case letters and digits only (for example westeurope, not \"West Europe\")."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name; names are <kind>-<name_prefix>-<environment>."
  default     = "devops-app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3 to 20 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version (for example 1.33) or exact version of the control plane. null takes the region's default version; patch upgrades follow automatically."
  default     = null

  validation {
    condition     = var.kubernetes_version == null || can(regex("^1\\.[0-9]+(\\.[0-9]+)?$", var.kubernetes_version))
    error_message = "kubernetes_version must be null or a version such as 1.33 or 1.33.2."
  }
}

variable "sku_tier" {
  type        = string
  description = "AKS pricing tier: Free for throw-away environments, Standard (uptime SLA) or Premium (long-term support) for the rest."
  default     = "Standard"

  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.sku_tier)
    error_message = "sku_tier must be one of Free, Standard, Premium."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones both node pools spread over. Use [] in a region without zones."
  default     = ["1", "2", "3"]

  validation {
    condition     = alltrue([for zone in var.availability_zones : contains(["1", "2", "3"], zone)])
    error_message = "availability_zones may only contain \"1\", \"2\" and \"3\"."
  }
}

variable "system_node_vm_size" {
  type        = string
  description = "VM size of the system node pool, which runs only critical add-ons."
  default     = "Standard_D2ds_v5"

  validation {
    condition     = can(regex("^Standard_[A-Za-z0-9_]+$", var.system_node_vm_size))
    error_message = "system_node_vm_size must be an Azure VM size such as Standard_D2ds_v5."
  }
}

variable "system_node_count" {
  type        = number
  description = "Fixed number of nodes in the system node pool (1 to 100; use 3 across zones where the environment needs to survive a zone outage)."

  validation {
    condition     = var.system_node_count >= 1 && var.system_node_count <= 100 && floor(var.system_node_count) == var.system_node_count
    error_message = "system_node_count must be a whole number from 1 to 100."
  }
}

variable "user_node_vm_size" {
  type        = string
  description = "VM size of the autoscaling user node pool, where the inference service and the monitoring releases run."
  default     = "Standard_D4ds_v5"

  validation {
    condition     = can(regex("^Standard_[A-Za-z0-9_]+$", var.user_node_vm_size))
    error_message = "user_node_vm_size must be an Azure VM size such as Standard_D4ds_v5."
  }
}

variable "user_node_min_count" {
  type        = number
  description = "Lower bound of the user node pool's autoscaler (1 to 1000). At least one node keeps the inference service schedulable without waiting for a scale-up."

  validation {
    condition     = var.user_node_min_count >= 1 && var.user_node_min_count <= 1000 && floor(var.user_node_min_count) == var.user_node_min_count
    error_message = "user_node_min_count must be a whole number from 1 to 1000."
  }
}

variable "user_node_max_count" {
  type        = number
  description = "Upper bound of the user node pool's autoscaler; at least user_node_min_count and at most 1000."

  validation {
    condition     = var.user_node_max_count >= var.user_node_min_count && var.user_node_max_count <= 1000 && floor(var.user_node_max_count) == var.user_node_max_count
    error_message = "user_node_max_count must be a whole number from user_node_min_count to 1000."
  }
}

variable "cluster_admin_principal_ids" {
  type        = list(string)
  description = "Object IDs of the Entra ID users, groups or service principals that get the Azure Kubernetes Service RBAC Cluster Admin role (include the principal that applies the monitoring stack). Local accounts are disabled, so this is the only way in."
  default     = []

  validation {
    condition     = alltrue([for id in var.cluster_admin_principal_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "cluster_admin_principal_ids must contain only lower-case object IDs (GUIDs)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the Log Analytics workspace keeps container insights and control-plane logs (30 to 730)."
  default     = 30

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 730 && floor(var.log_retention_days) == var.log_retention_days
    error_message = "log_retention_days must be a whole number from 30 to 730."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource, on top of environment, stack and managed-by."
  default     = {}
}
