# The subscription comes from ARM_SUBSCRIPTION_ID and the credentials from the ambient Azure login
# (az login, workload identity federation in CI), never from a file.
provider "azurerm" {
  features {}
}
