# Identical to infra/stacks/monitoring/variables.tf, so that a tfvars file the sandbox accepts passes the real
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

variable "kubelogin_login_mode" {
  type        = string
  description = "How kubelogin gets the Entra ID token for the Kubernetes API: azurecli after az login, workloadidentity in CI with federated credentials, msi on an Azure VM, spn with a service principal from AAD_SERVICE_PRINCIPAL_* variables."
  default     = "azurecli"

  validation {
    condition     = contains(["azurecli", "workloadidentity", "msi", "spn", "azd"], var.kubelogin_login_mode)
    error_message = "kubelogin_login_mode must be one of azurecli, workloadidentity, msi, spn, azd."
  }
}

variable "argocd_chart_version" {
  type        = string
  description = "Exact version of the argo-cd chart."
  default     = "10.1.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "argocd_chart_version must be an exact chart version such as 10.1.1."
  }
}

variable "argo_rollouts_chart_version" {
  type        = string
  description = "Exact version of the argo-rollouts chart."
  default     = "2.41.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argo_rollouts_chart_version))
    error_message = "argo_rollouts_chart_version must be an exact chart version such as 2.41.0."
  }
}

variable "argocd_high_availability" {
  type        = bool
  description = "Run Argo CD and Argo Rollouts with redundant replicas (needs at least three nodes)."
  default     = false
}

variable "kube_prometheus_stack_chart_version" {
  type        = string
  description = "Exact version of the kube-prometheus-stack chart."
  default     = "88.5.3"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.kube_prometheus_stack_chart_version))
    error_message = "kube_prometheus_stack_chart_version must be an exact chart version such as 88.5.3."
  }
}

variable "prometheus_retention" {
  type        = string
  description = "How long Prometheus keeps samples, as a Prometheus duration (for example 15d)."
  default     = "15d"

  validation {
    condition     = can(regex("^[1-9][0-9]*(h|d|w|y)$", var.prometheus_retention))
    error_message = "prometheus_retention must be a Prometheus duration such as 12h, 15d, 2w or 1y."
  }
}

variable "prometheus_storage_size" {
  type        = string
  description = "Size of Prometheus' persistent volume, as a Kubernetes quantity (for example 50Gi)."
  default     = "50Gi"

  validation {
    condition     = can(regex("^[1-9][0-9]*(Gi|Ti)$", var.prometheus_storage_size))
    error_message = "prometheus_storage_size must be a quantity in Gi or Ti such as 50Gi."
  }
}

variable "grafana_admin_password" {
  type        = string
  description = "Password of Grafana's admin user; null lets the chart generate one. Only through TF_VAR_grafana_admin_password, never a file."
  default     = null
  sensitive   = true
}

variable "datadog_chart_version" {
  type        = string
  description = "Exact version of the datadog chart."
  default     = "3.240.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.datadog_chart_version))
    error_message = "datadog_chart_version must be an exact chart version such as 3.240.0."
  }
}

variable "datadog_site" {
  type        = string
  description = "Datadog site of the organisation (datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com)."

  validation {
    condition     = contains(["datadoghq.com", "datadoghq.eu", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"], var.datadog_site)
    error_message = "datadog_site must be one of datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com."
  }
}

variable "datadog_api_key" {
  type        = string
  description = "Datadog API key. Secret: only through TF_VAR_datadog_api_key, never a tfvars file."
  sensitive   = true

  validation {
    condition     = length(trimspace(var.datadog_api_key)) > 0
    error_message = "datadog_api_key must not be empty: export TF_VAR_datadog_api_key."
  }
}

variable "datadog_app_key" {
  type        = string
  description = "Datadog application key. Secret: only through TF_VAR_datadog_app_key, never a tfvars file."
  sensitive   = true

  validation {
    condition     = length(trimspace(var.datadog_app_key)) > 0
    error_message = "datadog_app_key must not be empty: export TF_VAR_datadog_app_key."
  }
}
