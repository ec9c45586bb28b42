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

variable "sandbox_kube_api_url" {
  type        = string
  description = "Sandbox only: the kube_api_host output, the API server the portal's Kubernetes tab calls for this environment. The default is local and serves nothing unless a stand-in listens there; tests set TF_VAR_sandbox_kube_api_url to their own."
  default     = "https://127.0.0.1:6443"

  validation {
    condition     = can(regex("^https?://[^/\\s@]+(:[0-9]+)?(/[^\\s]*)?$", var.sandbox_kube_api_url))
    error_message = "sandbox_kube_api_url must be an http or https URL without credentials, such as https://127.0.0.1:6443."
  }
}

variable "sandbox_cluster_ca_certificate" {
  type        = string
  description = "Sandbox only: base64-encoded PEM of the CA that signed the stand-in API server's certificate (the cluster_ca_certificate outputs); null gives a placeholder that no server presents."
  default     = null

  validation {
    condition     = var.sandbox_cluster_ca_certificate == null || can(regex("^[A-Za-z0-9+/]+={0,2}$", var.sandbox_cluster_ca_certificate))
    error_message = "sandbox_cluster_ca_certificate must be null or base64 (the PEM file encoded with base64 -w0)."
  }
}
