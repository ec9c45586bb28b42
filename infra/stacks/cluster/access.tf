# Who may use the cluster. Local accounts are disabled, so these role assignments are the only way in.

# The principal running Terraform applies the monitoring stack next (Helm releases, ClusterRoles), which
# needs cluster admin; without this the first apply of monitoring is refused.
data "azurerm_client_config" "current" {}

locals {
  cluster_admins = merge(
    { deployer = data.azurerm_client_config.current.object_id },
    { for id in var.admin_group_object_ids : "group-${id}" => id },
    { for id in var.cluster_admin_principal_ids : "principal-${id}" => id },
  )
}

resource "azurerm_role_assignment" "cluster_admin" {
  for_each = local.cluster_admins

  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = each.value
}

# The portal (Backstage) signs in with its own managed identity (kubernetes.io/auth-provider: azure) and
# short-lived Entra ID tokens. This built-in role reads the built-in kinds; the monitoring stack binds the
# backstage-reader ClusterRole (rollouts, analysisruns, pod metrics) to the same object IDs.
resource "azurerm_role_assignment" "portal_reader" {
  for_each = toset(var.portal_reader_principal_ids)

  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service RBAC Reader"
  principal_id         = each.value
}

# The control plane's logs into the workspace (log_retention_days): API server, admin audit, controller
# manager, scheduler, autoscaler and Entra ID authentication (guard).
resource "azurerm_monitor_diagnostic_setting" "cluster" {
  name                           = "to-log-analytics"
  target_resource_id             = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id     = azurerm_log_analytics_workspace.this.id
  log_analytics_destination_type = "Dedicated"

  dynamic "enabled_log" {
    for_each = ["kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"]
    content {
      category = enabled_log.value
    }
  }
  enabled_metric {
    category = "AllMetrics"
  }
}
