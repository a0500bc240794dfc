"""What every blueprint shares (admin, dashboard, api, scim, sso). Each blueprint imports the
module it needs; this package's `__init__` imports nothing, so `portal.errors` can use it too.

- `bearer.bearer_token()`: the token of an `Authorization: Bearer <token>` header, or None.
  The API key check, the SCIM directory token check, `/sso/token` and `/sso/profile`, and the
  error handlers (an API client calling a path we do not serve still gets JSON) all read it.
"""
