"""Conformance: the sandbox's GKE Hub answers and audit-log deliveries against Google's
published definitions (../shared/reference/google)."""
