"""Customers: organizations, the domains they claim, how a domain is verified (DNS polling or by
hand), where to add the TXT record at common DNS hosts, and `make run`'s demo data.

May import: infra, account, delivery.
"""
