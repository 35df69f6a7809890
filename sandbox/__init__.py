"""A local stand-in for GKE Hub, Connect Gateway, Eventarc and the fleet clusters' Kubernetes API.

One package per service it stands in for (README.md, "Layout"). Never deployed; the function
only ever sees its base URL.
"""
