terraform {
  required_version = ">= 1.5, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.23, < 3"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 2.12, < 3"
    }
  }
}
