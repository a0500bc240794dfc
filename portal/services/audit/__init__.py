"""Audit logs: events checked against each action's schema, CSV exports, retention, and log
streams that forward events to the customer's SIEM.

May import: infra, delivery, organizations.
"""
