# Terraform state of the dev environment: one container per environment, one blob per stack (each
# stack's terraform.tf names its key). The state account is created once, outside these stacks;
# see infra/README.md. Authentication is Entra ID only.
resource_group_name  = "rg-devops-app-tfstate"
storage_account_name = "stdevopsapptfstate"
container_name       = "tfstate-dev"
use_azuread_auth     = true
