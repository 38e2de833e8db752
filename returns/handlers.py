"""Registers what approvals does to return and replenish requests (see approvals.registry)."""
