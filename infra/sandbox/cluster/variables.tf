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
  description = "Lower bound (and first size) of the autoscaling system node pool (1 to 100; use 3 across zones where the environment needs to survive a zone outage)."

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
  description = "Object IDs of further Entra ID users, groups or service principals that get the Azure Kubernetes Service RBAC Cluster Admin role. The principal that applies this stack gets it anyway (it applies the monitoring stack next), and so do the admin_group_object_ids."
  default     = []

  validation {
    condition     = alltrue([for id in var.cluster_admin_principal_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "cluster_admin_principal_ids must contain only lower-case object IDs (GUIDs)."
  }
}

variable "production_class" {
  type        = bool
  description = "Whether this environment is production-class: it must then name an Entra ID admin group and restrict its API server (authorized IP ranges or a private cluster), and the storage stack puts a CanNotDelete lock on its account."
  default     = false
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "Object IDs of the Entra ID groups whose members administer the cluster (AKS admin groups, and the Azure Kubernetes Service RBAC Cluster Admin role). Required, at least one, for a production-class environment."
  default     = []

  validation {
    condition     = alltrue([for id in var.admin_group_object_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "admin_group_object_ids must contain only lower-case object IDs (GUIDs)."
  }

  validation {
    condition     = !var.production_class || length(var.admin_group_object_ids) > 0
    error_message = "admin_group_object_ids must name at least one Entra ID group in a production-class environment (production_class = true): local accounts are disabled, so without it only the deploying identity can sign in."
  }
}

variable "portal_reader_principal_ids" {
  type        = list(string)
  description = "Entra object IDs of the portal backend's managed identity (and any other read-only client): each gets the Azure Kubernetes Service RBAC Reader role on the cluster, and the monitoring stack binds the backstage-reader ClusterRole to it. Short-lived Entra ID tokens, no token in state."
  default     = []

  validation {
    condition     = alltrue([for id in var.portal_reader_principal_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "portal_reader_principal_ids must contain only lower-case object IDs (GUIDs)."
  }
}

variable "private_cluster_enabled" {
  type        = bool
  description = "Give the API server a private endpoint in the cluster's virtual network only (clients must then reach that network). false keeps a public endpoint, restricted by api_server_authorized_ip_ranges."
  default     = false
}

variable "api_server_authorized_ip_ranges" {
  type        = list(string)
  description = "CIDR ranges allowed to reach the public API server (the portal's egress, CI runners, operators). [] leaves it open to any address, which a production-class environment may only do with private_cluster_enabled."
  default     = []

  validation {
    condition     = alltrue([for range in var.api_server_authorized_ip_ranges : can(cidrhost(range, 0)) && strcontains(range, "/") && !startswith(range, "0.0.0.0/")])
    error_message = "api_server_authorized_ip_ranges must contain only CIDR ranges such as 203.0.113.0/24 (not 0.0.0.0/0)."
  }

  validation {
    condition     = !var.private_cluster_enabled || length(var.api_server_authorized_ip_ranges) == 0
    error_message = "api_server_authorized_ip_ranges applies to a public API server only: leave it empty when private_cluster_enabled is true."
  }

  validation {
    condition     = !var.production_class || var.private_cluster_enabled || length(var.api_server_authorized_ip_ranges) > 0
    error_message = "A production-class environment needs api_server_authorized_ip_ranges or private_cluster_enabled = true: its API server must not be open to the internet."
  }
}

variable "maintenance_window" {
  type = object({
    day_of_week    = string
    start_time     = string
    duration_hours = number
    utc_offset     = string
  })
  description = "Weekly window in which AKS may apply the automatic Kubernetes patch upgrades and node image upgrades: day_of_week (Monday to Sunday), start_time (HH:MM), duration_hours (4 to 24), utc_offset (+HH:MM or -HH:MM)."
  default = {
    day_of_week    = "Sunday"
    start_time     = "02:00"
    duration_hours = 4
    utc_offset     = "+00:00"
  }

  validation {
    condition     = contains(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], var.maintenance_window.day_of_week)
    error_message = "maintenance_window.day_of_week must be one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday."
  }

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window.start_time)) && can(regex("^[+-](0[0-9]|1[0-4]):(00|30|45)$", var.maintenance_window.utc_offset))
    error_message = "maintenance_window.start_time must be HH:MM (00:00 to 23:59) and maintenance_window.utc_offset +HH:MM or -HH:MM (for example +01:00)."
  }

  validation {
    condition     = var.maintenance_window.duration_hours >= 4 && var.maintenance_window.duration_hours <= 24 && floor(var.maintenance_window.duration_hours) == var.maintenance_window.duration_hours
    error_message = "maintenance_window.duration_hours must be a whole number from 4 to 24 (AKS needs at least 4 hours for upgrades)."
  }
}

variable "system_node_max_count" {
  type        = number
  description = "Upper bound of the system node pool's autoscaler, from system_node_count to 100; null means system_node_count + 2 (at most 100)."
  default     = null

  validation {
    condition     = var.system_node_max_count == null || (try(var.system_node_max_count >= var.system_node_count && var.system_node_max_count <= 100 && floor(var.system_node_max_count) == var.system_node_max_count, false))
    error_message = "system_node_max_count must be null or a whole number from system_node_count to 100."
  }
}

variable "virtual_network_address_space" {
  type        = string
  description = "Address space of the cluster's virtual network (a /8 to /22 CIDR). Its first half holds the nodes, a /27-or-larger slice of the second half the private endpoints; it must not overlap the overlay's pod range 10.244.0.0/16 or the service range 10.0.0.0/16."
  default     = "10.240.0.0/16"

  validation {
    condition     = can(cidrhost(var.virtual_network_address_space, 0)) && can(regex("^[0-9.]+/([89]|1[0-9]|2[0-2])$", var.virtual_network_address_space))
    error_message = "virtual_network_address_space must be an IPv4 CIDR range from /8 to /22, such as 10.240.0.0/16."
  }
}

variable "container_registry_name" {
  type        = string
  description = "Globally unique name of the environment's Azure Container Registry (5 to 50 letters and digits); null means acr<name_prefix><environment> without dashes."
  default     = null

  validation {
    condition     = var.container_registry_name == null || can(regex("^[a-zA-Z0-9]{5,50}$", var.container_registry_name))
    error_message = "container_registry_name must be null or 5 to 50 letters and digits."
  }
}

variable "container_registry_sku" {
  type        = string
  description = "SKU of the container registry: Basic, Standard or Premium (Premium adds zone redundancy and geo-replication)."
  default     = "Standard"

  validation {
    condition     = contains(["Basic", "Standard", "Premium"], var.container_registry_sku)
    error_message = "container_registry_sku must be one of Basic, Standard, Premium."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the Log Analytics workspace keeps container insights, the control plane's diagnostic logs and Defender's data (30 to 730)."
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
