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
