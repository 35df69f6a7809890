"""Adapters: GKE Hub, the Argo CD cluster through Connect Gateway, credentials, logging.

They translate HTTP to core objects and failures to core errors; they decide nothing.
"""
