"""Bringing a customer's IT admin in: end-to-end onboarding, setup links and API links (the
signed tokens and their rows), redeeming a link into a portal session, which features are
configured yet, and the mail that carries a link.

May import: infra, account, delivery, organizations, sso, directory.
"""
