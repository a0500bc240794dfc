"""The developer's side of this deployment: the environment's client id and API keys,
dashboard users and their throttled sign-in, and the app-wide settings the dashboard edits
(branding, allowed redirect URIs, origins that may embed the portal).

May import: infra.
"""
