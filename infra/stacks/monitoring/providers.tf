locals {
  cluster = data.terraform_remote_state.cluster.outputs
  # kubelogin asks Entra ID for a token for this audience: the AKS AAD server application, the same
  # in every tenant. Local accounts are off, so there is no static kubeconfig to fall back on.
  aks_server_id = "6dae42f8-4368-4678-94ff-3960e28e3630"
}

provider "kubernetes" {
  host                   = local.cluster.kube_api_host
  cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "kubelogin"
    args        = ["get-token", "--login", var.kubelogin_login_mode, "--server-id", local.aks_server_id]
  }
}

provider "helm" {
  kubernetes = {
    host                   = local.cluster.kube_api_host
    cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "kubelogin"
      args        = ["get-token", "--login", var.kubelogin_login_mode, "--server-id", local.aks_server_id]
    }
  }
}
