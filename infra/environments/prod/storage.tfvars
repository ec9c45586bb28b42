environment                = "prod"
state_resource_group_name  = "rg-devops-app-tfstate-prod"
state_storage_account_name = "stdevopsapptfstateprod"
state_container_name       = "tfstate-prod"
storage_account_name       = "stdevopsappprod"
account_replication_type   = "ZRS"
cool_after_days            = 30
retention_days             = 365
