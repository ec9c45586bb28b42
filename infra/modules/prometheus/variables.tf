variable "environment" {
  type        = string
  description = "Environment name, added to every series as the external label environment=<environment>."

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$", var.environment))
    error_message = "environment must be a lower-case DNS label of 1 to 24 characters: a-z, 0-9 and '-', starting with a letter and not ending with '-' (for example dev, pre-prod, load-test)."
  }
}

variable "cluster_name" {
  type        = string
  description = "Cluster name, added to every series as the external label cluster=<cluster_name>."
}

variable "namespace" {
  type        = string
  description = "Namespace of the kube-prometheus-stack release."
  default     = "monitoring"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a Kubernetes namespace name (lower-case DNS label)."
  }
}

variable "chart_version" {
  type        = string
  description = "Exact version of the kube-prometheus-stack chart from the prometheus-community repository."
  default     = "88.5.3"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.chart_version))
    error_message = "chart_version must be an exact chart version such as 88.5.3."
  }
}

variable "retention" {
  type        = string
  description = "How long Prometheus keeps samples, as a Prometheus duration (for example 15d)."
  default     = "15d"

  validation {
    condition     = can(regex("^[1-9][0-9]*(h|d|w|y)$", var.retention))
    error_message = "retention must be a Prometheus duration such as 12h, 15d, 2w or 1y."
  }
}

variable "storage_size" {
  type        = string
  description = "Size of Prometheus' persistent volume, as a Kubernetes quantity (for example 50Gi)."
  default     = "50Gi"

  validation {
    condition     = can(regex("^[1-9][0-9]*(Gi|Ti)$", var.storage_size))
    error_message = "storage_size must be a quantity in Gi or Ti such as 50Gi."
  }
}

variable "grafana_admin_password" {
  type        = string
  description = "Password of Grafana's admin user. null lets the chart generate one into the secret <release>-grafana. Pass it through TF_VAR_grafana_admin_password, never a file."
  default     = null
  sensitive   = true
}

variable "repository" {
  type        = string
  description = "Helm repository of the kube-prometheus-stack chart; point it at a mirror where the cluster cannot reach the internet."
  default     = "https://prometheus-community.github.io/helm-charts"
}
