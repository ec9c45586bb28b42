variable "namespace" {
  type        = string
  description = "Namespace of the Argo CD release. The portal and the Application manifests expect argocd."
  default     = "argocd"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a Kubernetes namespace name (lower-case DNS label)."
  }
}

variable "rollouts_namespace" {
  type        = string
  description = "Namespace of the Argo Rollouts controller."
  default     = "argo-rollouts"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.rollouts_namespace))
    error_message = "rollouts_namespace must be a Kubernetes namespace name (lower-case DNS label)."
  }
}

variable "argocd_chart_version" {
  type        = string
  description = "Exact version of the argo-cd chart from the argo-helm repository."
  default     = "10.1.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "argocd_chart_version must be an exact chart version such as 10.1.1."
  }
}

variable "argo_rollouts_chart_version" {
  type        = string
  description = "Exact version of the argo-rollouts chart from the argo-helm repository."
  default     = "2.41.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argo_rollouts_chart_version))
    error_message = "argo_rollouts_chart_version must be an exact chart version such as 2.41.0."
  }
}

variable "high_availability" {
  type        = bool
  description = "Run Argo CD with Redis HA and two replicas of the server, repo server and application set controller, and two Rollouts controllers. Needs at least three nodes."
  default     = false
}

variable "repository" {
  type        = string
  description = "Helm repository both charts come from; point it at a mirror where the cluster cannot reach the internet."
  default     = "https://argoproj.github.io/argo-helm"
}

variable "portal_account" {
  type        = string
  description = "Argo CD local account of the portal (apiKey capability only); its token is the portal's ARGOCD_TOKEN."
  default     = "backstage"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", var.portal_account))
    error_message = "portal_account must be 1 to 32 lower-case letters, digits and '-', starting and ending with a letter or digit (Argo CD local account names are at most 32 characters)."
  }
}

variable "portal_project" {
  type        = string
  description = "Argo CD project whose applications the portal account may get, sync and run Rollout actions on (the AppProject of charts/argocd-apps)."
  default     = "devops-app"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.portal_project))
    error_message = "portal_project must be an Argo CD project name (lower-case DNS label)."
  }
}
