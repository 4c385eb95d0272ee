"""The four delivery keys as pure functions over deployments, pull requests and failures.

Definitions, with a worked example each, are in docs/metrics.md ("Delivery").
"""
