"""A local stand-in for GKE Hub, Connect Gateway, Eventarc and the fleet clusters' Kubernetes API.

Never deployed; the function only ever sees its base URL.
"""
