variable "fleet_a_project_id" {
  type        = string
  description = "ID of the first fleet host project; the function and its scheduler job are deployed here."
}

variable "fleet_b_project_id" {
  type        = string
  description = "ID of the second fleet host project; it gets its own triggers and a receiver."
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
  description = "Region of the function and the receiver."
  default     = "us-central1"
}
