"""The application: the order of reads and writes between GKE Hub and the Argo CD cluster.

`sync` runs every target and fleet; `reconcile` orders one lane's Secret reads and writes,
with its steps in `decisions`, `lookup` and `writes`; `projects` orders a target's
AppProjects; `ports` says what they need of the adapters. The decisions are the core's,
HTTP is the adapters'; `main.py` and the CLI call `sync`.
"""
