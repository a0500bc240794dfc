"""Directory sync: SCIM directories and their tokens, directory users and groups, group-sync
selection, attribute maps, the WorkOS shapes of both, and the SCIM protocol itself (filters,
paths, PATCH, resources, the caller's access).

May import: infra, delivery, organizations.
"""
