# The subscription comes from ARM_SUBSCRIPTION_ID and the credentials from the ambient Azure login.
provider "azurerm" {
  features {}
  # Shared keys are disabled on the account, so data-plane calls must use Entra ID.
  storage_use_azuread = true
}
