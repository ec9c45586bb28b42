environment         = "${{ values.name }}"
location            = "${{ values.location }}"
sku_tier            = "{% if values.production %}Standard{% else %}Free{% endif %}"
system_node_count   = {% if values.production %}2{% else %}1{% endif %}
user_node_vm_size   = "${{ values.vmSize }}"
user_node_min_count = ${{ values.minNodeCount }}
user_node_max_count = ${{ values.nodeCount }}
log_retention_days  = 30
{%- if values.production %}

# Production-class (based on a production-class environment): an Entra ID admin group and a private API
# server (the stack's validations require one or authorized ranges), and storage locked against deletion.
production_class        = true
admin_group_object_ids  = ["${{ values.adminGroupObjectId }}"]
private_cluster_enabled = true
{%- endif %}
