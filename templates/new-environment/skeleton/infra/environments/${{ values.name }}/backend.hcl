# Terraform state of the ${{ values.name }} environment (created from the portal): one container per
# environment, one blob per stack. Create the container before the first run in Azure (infra/README.md).
resource_group_name  = "rg-devops-app-tfstate{% if values.production %}-prod{% endif %}"
storage_account_name = "stdevopsapptfstate{% if values.production %}prod{% endif %}"
container_name       = "tfstate-${{ values.name }}"
use_azuread_auth     = true
