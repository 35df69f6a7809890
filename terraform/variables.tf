variable "project_id" {
  type        = string
  description = "ID of the fleet host project. The function, its Eventarc triggers and its scheduler job are deployed here, because audit-log triggers only see the logs of their own project."
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project ID (6-30 lowercase letters, digits and hyphens)."
  }
}

variable "region" {
  type        = string
  description = "Region of the Cloud Run function, its source bucket and the Cloud Scheduler job."
  default     = "us-central1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1."
  }
}

variable "fleet_project_number" {
  type        = string
  description = "Number (not ID) of the fleet host project whose memberships are synced."
  validation {
    condition     = can(regex("^[0-9]+$", var.fleet_project_number))
    error_message = "fleet_project_number must contain digits only."
  }
}

variable "argocd_membership" {
  type        = string
  description = "Fleet membership of the Argo CD cluster, as {location}/{membership_id}, for example global/argocd-hub."
  validation {
    condition     = can(regex("^(global|[a-z]+(-[a-z0-9]+)+)/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_membership))
    error_message = "argocd_membership must look like {location}/{membership_id}, for example global/argocd-hub."
  }
}

variable "argocd_namespace" {
  type        = string
  description = "Namespace of Argo CD in the Argo CD cluster; the function may only touch Secrets there."
  default     = "argocd"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a Kubernetes namespace name."
  }
}

variable "argocd_project" {
  type        = string
  description = "Argo CD AppProject written into every cluster Secret's project field, or null for none."
  default     = null
  validation {
    condition     = var.argocd_project == null || can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.argocd_project))
    error_message = "argocd_project must be an AppProject name (a DNS subdomain) or null."
  }
}

variable "membership_selector" {
  type        = string
  description = "Kubernetes label selector over membership labels (for example \"env in (prod,staging),!no-argocd\"); only matching memberships get a cluster Secret. Null selects all."
  default     = null
  validation {
    condition     = try(length(var.membership_selector) <= 1024 && !can(regex("[\\n\\r]", var.membership_selector)), true)
    error_message = "membership_selector must be one line of at most 1024 characters, or null; the function checks its syntax at start."
  }
}

variable "max_delete_fraction" {
  type        = number
  description = "Mass-delete guard: a resync that would delete more than this share of the function's Secrets is refused unless forced."
  default     = 0.5
  validation {
    condition     = var.max_delete_fraction >= 0 && var.max_delete_fraction <= 1
    error_message = "max_delete_fraction must be between 0 and 1."
  }
}

variable "sync_concurrency" {
  type        = number
  description = "Number of Secret writes in flight at once during a resync."
  default     = 8
  validation {
    condition     = var.sync_concurrency >= 1 && var.sync_concurrency <= 64
    error_message = "sync_concurrency must be between 1 and 64."
  }
}

variable "gateway_max_writes_per_minute" {
  type        = number
  description = "Most Secret writes the function sends through Connect Gateway in any minute (0 for no budget); the gateway's request quota is shared with Argo CD."
  default     = 600
  validation {
    condition     = var.gateway_max_writes_per_minute >= 0 && var.gateway_max_writes_per_minute <= 100000
    error_message = "gateway_max_writes_per_minute must be between 0 and 100000."
  }
}

variable "dry_run" {
  type        = bool
  description = "When true the function computes and logs every change but writes nothing; useful for a first deployment next to fleet-argocd-plugin."
  default     = false
}

variable "name" {
  type        = string
  description = "Name of the function, and prefix of its service accounts, bucket, triggers and scheduler job."
  default     = "fleet-argocd-sync"
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,20}$", var.name))
    error_message = "name must start with a letter and hold at most 21 lowercase letters, digits and hyphens."
  }
}

variable "runtime" {
  type        = string
  description = "Python runtime of the Cloud Run function."
  default     = "python312"
  validation {
    condition     = contains(["python311", "python312", "python313"], var.runtime)
    error_message = "runtime must be python311, python312 or python313."
  }
}

variable "max_instance_count" {
  type        = number
  description = "Upper bound on function instances, each handling one request at a time. A resync holds one instance for up to timeout_seconds; the others take events (about 20 ms each warm, up to a second or two for an UpdateCluster in a large fleet). Events that find every instance busy are redelivered by Eventarc with a backoff of at most 10 minutes, never dropped."
  default     = 5
  validation {
    condition     = var.max_instance_count >= 2 && var.max_instance_count <= 100
    error_message = "max_instance_count must be between 2 (one for a resync, one for events) and 100."
  }
}

variable "timeout_seconds" {
  type        = number
  description = "Request timeout of the function, long enough for a full resync of the fleet."
  default     = 540
  validation {
    condition     = var.timeout_seconds >= 60 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be between 60 and 3600."
  }
}

variable "ingress_settings" {
  type        = string
  description = "Network ingress of the function: ALLOW_INTERNAL_ONLY (Eventarc and Cloud Scheduler reach it; nothing from the internet) or ALLOW_ALL (still IAM-authenticated, for curl from a workstation)."
  default     = "ALLOW_INTERNAL_ONLY"
  validation {
    condition     = contains(["ALLOW_INTERNAL_ONLY", "ALLOW_ALL"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_INTERNAL_ONLY or ALLOW_ALL."
  }
}

variable "resync_schedule" {
  type        = string
  description = "Cron schedule of the safety-net resync (Cloud Scheduler syntax)."
  default     = "0 * * * *"
  validation {
    condition     = can(regex("^\\S+ \\S+ \\S+ \\S+ \\S+$", var.resync_schedule))
    error_message = "resync_schedule must be a five-field cron expression such as \"0 * * * *\"."
  }
}

variable "resync_time_zone" {
  type        = string
  description = "Time zone of resync_schedule."
  default     = "Etc/UTC"
  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.resync_time_zone))
    error_message = "resync_time_zone must be a tz database name such as Etc/UTC or Europe/Paris."
  }
}

variable "invoker_members" {
  type        = list(string)
  description = "Extra principals (user:, group:, serviceAccount:) allowed to invoke the function, for manual resyncs. Public principals are refused."
  default     = []
  validation {
    condition     = alltrue([for m in var.invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], m) && can(regex("^(user|group|serviceAccount|domain):", m))])
    error_message = "invoker_members must be user:, group:, serviceAccount: or domain: principals; allUsers and allAuthenticatedUsers are refused."
  }
}

variable "enable_apis" {
  type        = bool
  description = "Whether the module enables the Google APIs it needs in project_id and the fleet project."
  default     = true
}

variable "labels" {
  type        = map(string)
  description = "Labels applied to the function, bucket and scheduler job."
  default     = {}
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][-_a-z0-9]{0,62}$", k)) && can(regex("^[-_a-z0-9]{0,63}$", v))])
    error_message = "labels must use Google Cloud label keys and values: lowercase letters, digits, - and _, keys starting with a letter, at most 63 characters."
  }
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key (projects/P/locations/L/keyRings/R/cryptoKeys/K, in the function's region) that encrypts the function, its source bucket and its image repository; null for Google-managed encryption. The module grants the key to the service agents that use it."
  default     = null
  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be a full key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

variable "enable_log_metrics" {
  type        = bool
  description = "Whether to create the log-based metrics (Secrets written by action, errors by kind, conflicts, complete resyncs)."
  default     = true
}

variable "enable_resync_alert" {
  type        = bool
  description = "Whether to create the alert policy that fires when no complete resync succeeded for two schedule periods; needs enable_log_metrics."
  default     = true
}

variable "resync_period_minutes" {
  type        = number
  description = "Minutes between two runs of resync_schedule; the alert fires after twice this with no complete resync."
  default     = 60
  validation {
    condition     = var.resync_period_minutes >= 1 && var.resync_period_minutes <= 705 && floor(var.resync_period_minutes) == var.resync_period_minutes
    error_message = "resync_period_minutes must be a whole number from 1 to 705 (Cloud Monitoring's absence window is at most 23.5 hours)."
  }
}

variable "alert_notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channel IDs (projects/P/notificationChannels/N) the resync alert notifies; empty for none."
  default     = []
  validation {
    condition     = alltrue([for c in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", c))])
    error_message = "alert_notification_channels must hold IDs like projects/P/notificationChannels/N."
  }
}
