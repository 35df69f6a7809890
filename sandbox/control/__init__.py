"""The sandbox's control API under /sandbox/: fleet changes, faults, tuning and views.

Its contract is its own, written down in sandbox/README.md ("Control API"). Each fleet change
is logged as the real call would be: GKE Hub's methods in google/cloud/gkehub/v1/service.proto,
and ClusterManager's Create/DeleteCluster for clusters registered at creation.
"""
