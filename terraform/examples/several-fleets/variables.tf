variable "fleet_a_project_id" {
  type        = string
  description = "ID of the first fleet host project; the function and its scheduler job are deployed here."
}

variable "fleet_b_project_id" {
  type        = string
  description = "ID of the second fleet host project; its audit entries reach the function through its Logging sink."
}

variable "prod_argocd_membership" {
  type        = string
  description = "Membership of the prod Argo CD cluster in the first fleet, as {location}/{membership_id}."
  default     = "global/argocd-hub"
}

variable "teams_argocd_membership" {
  type        = string
  description = "Membership of the teams Argo CD cluster in the second fleet, as {location}/{membership_id}."
  default     = "global/argocd-teams"
}

variable "region" {
  type        = string
  description = "Region of the function, its Pub/Sub topics and its scheduler job."
  default     = "us-central1"
}

variable "log_sink_parent" {
  type        = string
  description = "Null for a Logging sink in each fleet project, or folders/N or organizations/N for one sink there covering both fleets."
  default     = null
}
