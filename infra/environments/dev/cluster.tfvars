environment         = "dev"
location            = "westeurope"
sku_tier            = "Free"
system_node_count   = 1
user_node_vm_size   = "Standard_D4ds_v5"
user_node_min_count = 1
user_node_max_count = 3
log_retention_days  = 30

# The portal backend's managed identity (Entra object ID; az identity show --query principalId): the RBAC
# Reader role here and the backstage-reader ClusterRole (monitoring). Tenant-specific: set it to your
# portal's identity before the first apply (infra/README.md, "Before the first apply").
portal_reader_principal_ids = ["f533d6ab-0a7e-43c6-9d2f-5e900703ae90"]
