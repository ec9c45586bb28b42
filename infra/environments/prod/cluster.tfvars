environment         = "prod"
location            = "westeurope"
sku_tier            = "Standard"
system_node_count   = 3
user_node_vm_size   = "Standard_D4ds_v5"
user_node_min_count = 3
user_node_max_count = 10
log_retention_days  = 90

# Production-class: an admin group and a restricted API server are required (the variables' validations),
# and the storage stack locks its account against deletion.
production_class = true

# Tenant-specific values: set them to your tenant's before the first apply (infra/README.md, "Before the
# first apply"). Object IDs are not secrets.
# The Entra ID group of prod's administrators (az ad group show --group <name> --query id -o tsv).
admin_group_object_ids = ["01592e78-3447-48cb-91b9-b3e971f10a68"]
# The portal backend's managed identity (az identity show --query principalId -o tsv).
portal_reader_principal_ids = ["f533d6ab-0a7e-43c6-9d2f-5e900703ae90"]
# Who may reach the API server: the portal's and the CI runners' egress ranges, the operators' network.
# These are documentation ranges (RFC 5737) standing in for yours.
api_server_authorized_ip_ranges = ["198.51.100.0/24", "203.0.113.0/24"]

maintenance_window = {
  day_of_week    = "Sunday"
  start_time     = "03:00"
  duration_hours = 4
  utc_offset     = "+01:00"
}
system_node_max_count  = 5
container_registry_sku = "Premium"
