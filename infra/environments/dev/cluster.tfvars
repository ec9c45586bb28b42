environment         = "dev"
location            = "westeurope"
sku_tier            = "Free"
system_node_count   = 1
user_node_vm_size   = "Standard_D4ds_v5"
user_node_min_count = 1
user_node_max_count = 3
log_retention_days  = 30
