"""The operator CLI, `fleet-argocd-sync`: installed with the project, never deployed."""
