environment                = "${{ values.name }}"
state_resource_group_name  = "rg-devops-app-tfstate{% if values.production %}-prod{% endif %}"
state_storage_account_name = "stdevopsapptfstate{% if values.production %}prod{% endif %}"
state_container_name       = "tfstate-${{ values.name }}"
storage_account_name       = "stdevopsapp${{ values.compactName }}"
account_replication_type   = "{% if values.production %}ZRS{% else %}LRS{% endif %}"
cool_after_days            = 30
retention_days             = 90
