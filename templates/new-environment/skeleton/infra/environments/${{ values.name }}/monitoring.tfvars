# Datadog keys come from TF_VAR_datadog_api_key and TF_VAR_datadog_app_key, never from this file.
environment                = "${{ values.name }}"
state_resource_group_name  = "rg-devops-app-tfstate{% if values.production %}-prod{% endif %}"
state_storage_account_name = "stdevopsapptfstate{% if values.production %}prod{% endif %}"
state_container_name       = "tfstate-${{ values.name }}"
datadog_site               = "datadoghq.eu"
argocd_high_availability   = {% if values.production %}true{% else %}false{% endif %}
prometheus_retention       = "15d"
prometheus_storage_size    = "50Gi"
