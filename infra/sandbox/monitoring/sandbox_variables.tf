# Variables the real stack does not have; all start with sandbox_.

variable "sandbox_delay_seconds" {
  type        = number
  description = "Sandbox only: seconds the apply of this stand-in takes, to imitate the real stack in benchmarks. 0 adds no delay."
  default     = 0

  validation {
    condition     = var.sandbox_delay_seconds >= 0 && var.sandbox_delay_seconds <= 3600
    error_message = "sandbox_delay_seconds must be from 0 to 3600."
  }
}

variable "sandbox_state_dir" {
  type        = string
  description = "Sandbox only: absolute path of the directory that holds the state of every sandbox stack as <environment>/<stack>.tfstate; the same directory the backend path was derived from at init."

  validation {
    condition     = can(regex("^(/|[A-Za-z]:[\\\\/])", var.sandbox_state_dir))
    error_message = "sandbox_state_dir must be an absolute path."
  }
}

variable "sandbox_prometheus_url" {
  type        = string
  description = "Sandbox only: the prometheus_url output, the Prometheus the portal's Metrics section queries for this environment. Default: the one `make start` runs; tests set TF_VAR_sandbox_prometheus_url to their own."
  default     = "http://127.0.0.1:9090"

  validation {
    condition     = can(regex("^https?://[^/\\s@]+(:[0-9]+)?(/[^\\s]*)?$", var.sandbox_prometheus_url))
    error_message = "sandbox_prometheus_url must be an http or https URL without credentials, such as http://127.0.0.1:9090."
  }
}

variable "sandbox_argocd_url" {
  type        = string
  description = "Sandbox only: the argocd_url output (links only). Default: where `kubectl -n argocd port-forward svc/argocd-server 8080:443` serves Argo CD; tests set TF_VAR_sandbox_argocd_url to their stand-in."
  default     = "https://127.0.0.1:8080"

  validation {
    condition     = can(regex("^https?://[^/\\s@]+(:[0-9]+)?(/[^\\s]*)?$", var.sandbox_argocd_url))
    error_message = "sandbox_argocd_url must be an http or https URL without credentials, such as https://127.0.0.1:8080."
  }
}
