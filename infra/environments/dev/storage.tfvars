environment                = "dev"
state_resource_group_name  = "rg-devops-app-tfstate"
state_storage_account_name = "stdevopsapptfstate"
state_container_name       = "tfstate-dev"
storage_account_name       = "stdevopsappdev"
account_replication_type   = "LRS"
cool_after_days            = 7
retention_days             = 30
