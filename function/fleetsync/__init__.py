"""fleet-argocd-sync: keep Argo CD cluster Secrets equal to the memberships of a GKE fleet."""
