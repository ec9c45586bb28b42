environment         = "prod"
location            = "westeurope"
sku_tier            = "Standard"
system_node_count   = 3
user_node_vm_size   = "Standard_D4ds_v5"
user_node_min_count = 3
user_node_max_count = 10
log_retention_days  = 90
