variable "project_id" {
  type        = string
  description = "ID of the fleet host project that holds both clusters, the fleet and the function."
}

variable "region" {
  type        = string
  description = "Region of the clusters and the function."
  default     = "us-central1"
}

variable "apply_rbac" {
  type        = bool
  description = "Whether to apply the function's Role and RoleBinding in the Argo CD cluster with the kubernetes provider (through Connect Gateway)."
  default     = true
}

variable "install_argocd" {
  type        = bool
  description = "Whether to install Argo CD into the Argo CD cluster with its Helm chart."
  default     = true
}

variable "argocd_chart_version" {
  type        = string
  description = "Version of the argo-cd Helm chart (argoproj/argo-helm) to install."
  default     = "7.7.0"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "argocd_chart_version must be a chart version such as 7.7.0."
  }
}

variable "argocd_cluster_role" {
  type        = string
  description = "ClusterRole Argo CD's Google service account is bound to in every member cluster; cluster-admin, as in the walk-through, or a narrower role of your own."
  default     = "cluster-admin"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.:]{0,251}[a-z0-9])?$", var.argocd_cluster_role))
    error_message = "argocd_cluster_role must be a ClusterRole name."
  }
}
