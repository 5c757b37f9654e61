"""Operating the service: metrics, request logs, backups, read replicas.

A layer above the domains and ``app.core``: it may read any of them, none of them imports it.
"""
