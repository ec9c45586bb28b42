# Datadog keys come from TF_VAR_datadog_api_key and TF_VAR_datadog_app_key, never from this file.
environment                = "prod"
state_resource_group_name  = "rg-devops-app-tfstate-prod"
state_storage_account_name = "stdevopsapptfstateprod"
state_container_name       = "tfstate-prod"
datadog_site               = "datadoghq.eu"
argocd_high_availability   = true
prometheus_retention       = "30d"
prometheus_storage_size    = "100Gi"
