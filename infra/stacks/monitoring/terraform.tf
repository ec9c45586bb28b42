terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 3.2"
    }
  }

  # Partial configuration: the account and the per-environment container come from
  # infra/environments/<env>/backend.hcl, the blob name is this stack's own.
  backend "azurerm" {
    key = "monitoring.tfstate"
  }
}
