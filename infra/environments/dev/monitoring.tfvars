# Datadog keys come from TF_VAR_datadog_api_key and TF_VAR_datadog_app_key, never from this file.
environment                = "dev"
state_resource_group_name  = "rg-devops-app-tfstate"
state_storage_account_name = "stdevopsapptfstate"
state_container_name       = "tfstate-dev"
datadog_site               = "datadoghq.eu"
argocd_high_availability   = false
prometheus_retention       = "7d"
prometheus_storage_size    = "20Gi"
