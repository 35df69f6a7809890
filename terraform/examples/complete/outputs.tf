output "function_uri" {
  description = "URL of the deployed function."
  value       = module.fleet_argocd_sync.function_uri
}

output "resync_command" {
  description = "Command that requests a full resync now."
  value       = module.fleet_argocd_sync.resync_command
}

output "push_subscription" {
  description = "Pub/Sub push subscription that delivers the fleet's audit-log entries to the function."
  value       = module.fleet_argocd_sync.push_subscription
}

output "dead_letter_subscription" {
  description = "Pull subscription holding the audit entries Pub/Sub could not deliver, for 7 days."
  value       = module.fleet_argocd_sync.dead_letter_subscription
}

output "rbac_manifest" {
  description = "The RBAC the function needs in the Argo CD cluster (applied here when apply_rbac is true)."
  value       = module.fleet_argocd_sync.rbac_manifest
}

output "argocd_service_account_email" {
  description = "Argo CD's Google service account, used by argocd-server and argocd-application-controller through Workload Identity."
  value       = google_service_account.argocd.email
}

output "argocd_member_rbac_manifest" {
  description = "ClusterRoleBinding Argo CD's identity needs in every member cluster; apply it in each cluster registered later (kubectl apply -f -)."
  value       = yamlencode(local.argocd_member_rbac)
}

output "argocd_member_rbac_command" {
  description = "gcloud command that generates and applies the same binding in one more member cluster; replace MEMBERSHIP and the kubeconfig context."
  value       = "gcloud container fleet memberships generate-gateway-rbac --membership=MEMBERSHIP --role=clusterrole/${var.argocd_cluster_role} --users=${google_service_account.argocd.email} --project=${var.project_id} --kubeconfig=$HOME/.kube/config --context=CONTEXT --apply"
}
