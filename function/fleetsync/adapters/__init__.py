"""Adapters: GKE Hub, the Argo CD cluster through Connect Gateway, credentials, logging.

They translate HTTP to core objects and failures to core errors (retrying what a short
backoff may fix, within the gateway's write budget); they decide nothing, and the order of
their calls is the application's (`fleetsync.app`).
"""
