"""Single sign-on: connections (SAML and OIDC) and their setup in the portal, IdP certificates
and metadata, the SAML service provider and OIDC relying party, the sign-in flow with its
checks, errors and history, attribute maps, and retention of old sign-ins.

May import: infra, account, delivery, organizations.
"""
