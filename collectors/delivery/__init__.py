"""Delivery collection: deployments by the source ladder, incidents, reverts (issue #15)."""
