# Terraform state of the prod environment, in its own state account (not the one dev, pre-prod and the
# portal's environments share): its own access control, its own delete lock. One blob per stack (each
# stack's terraform.tf names its key). The account is created once, outside these stacks; see
# infra/README.md. Authentication is Entra ID only.
resource_group_name  = "rg-devops-app-tfstate-prod"
storage_account_name = "stdevopsapptfstateprod"
container_name       = "tfstate-prod"
use_azuread_auth     = true
