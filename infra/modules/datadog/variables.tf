variable "environment" {
  type        = string
  description = "Environment name, sent as the env tag of every metric, log and trace (DD_ENV)."

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$", var.environment))
    error_message = "environment must be a lower-case DNS label of 1 to 24 characters: a-z, 0-9 and '-', starting with a letter and not ending with '-' (for example dev, pre-prod, load-test)."
  }
}

variable "cluster_name" {
  type        = string
  description = "Name of the cluster as Datadog shows it (datadog.clusterName)."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,78}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be lower-case letters, digits, '.' and '-', at most 80 characters."
  }
}

variable "namespace" {
  type        = string
  description = "Namespace of the Datadog agent release."
  default     = "datadog"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a Kubernetes namespace name (lower-case DNS label)."
  }
}

variable "chart_version" {
  type        = string
  description = "Exact version of the datadog chart from the Datadog Helm repository."
  default     = "3.240.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.chart_version))
    error_message = "chart_version must be an exact chart version such as 3.240.0."
  }
}

variable "site" {
  type        = string
  description = "Datadog site the agents send to (datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com)."
  default     = "datadoghq.com"

  validation {
    condition     = contains(["datadoghq.com", "datadoghq.eu", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"], var.site)
    error_message = "site must be one of datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com."
  }
}

variable "api_key" {
  type        = string
  description = "Datadog API key the agents send with. Pass it through TF_VAR_datadog_api_key (or a secret store), never a file."
  sensitive   = true

  validation {
    condition     = length(trimspace(var.api_key)) > 0
    error_message = "api_key must not be empty."
  }
}

variable "app_key" {
  type        = string
  description = "Datadog application key, used by the cluster agent's external metrics provider. Pass it through TF_VAR_datadog_app_key, never a file."
  sensitive   = true

  validation {
    condition     = length(trimspace(var.app_key)) > 0
    error_message = "app_key must not be empty."
  }
}

variable "repository" {
  type        = string
  description = "Helm repository of the datadog chart; point it at a mirror where the cluster cannot reach the internet."
  default     = "https://helm.datadoghq.com"
}
