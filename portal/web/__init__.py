"""What every blueprint shares (admin, dashboard, api, scim, sso). Each blueprint imports the
module it needs; this `__init__` imports nothing, so `portal.errors` can use the kit too.

What each blueprint gets:
| blueprint        | from the kit                                                          |
|------------------|-----------------------------------------------------------------------|
| all five         | a path value holding NUL is a 404 (`nul_refusals.refuse_nul_in_path`) |
| api, scim, sso   | `bearer.bearer_token()` for the API key, directory token, access token |
| admin, dashboard | `nul_refusals.refuse_nul_in_page_input`, `signed_out.redirect_signed_out` |
| all five         | `rate_limits`: put on views by `create_app`; scim counts refused tokens |
| admin, sso       | `idp_post.post_to_idp`: the page posting a SAML request to the IdP    |

Reading a caller's token
- `bearer.bearer_token()`: the token of an `Authorization: Bearer <token>` header, or None.
  The API key check, the SCIM directory token check, `/sso/token` and `/sso/profile`, and the
  error handlers (an API client calling a path we do not serve still gets JSON) all read it.

htmx, one way
- htmx-flask (bound in `portal/extensions.py`) gives each request `request.htmx`: true for an
  htmx request (`HX-Request: true`), with `request.htmx.target` and the other HX-* request
  headers. Views and error handlers read it, never the headers themselves. A URL answering
  both a page and a fragment adds `Vary: HX-Request` to its response.
- `signed_out.redirect_signed_out(target)`: where a request whose session is gone goes (the
  admin's and the dashboard's guards): a redirect, or for htmx a 401 with `HX-Redirect`.

NUL characters: one policy. No name, id, URL or token holds U+0000, and PostgreSQL text can
neither store nor compare one, so:
- A path value holding NUL names nothing: 404 on every blueprint, in its audience's error
  shape, before any guard or view runs (`nul_refusals.refuse_nul_in_path`, registered for the
  whole app where the blueprints are registered).
- Input text holding NUL is refused, each audience in its own words: the API answers WorkOS
  JSON 422 naming the field (`api/parsing.py`); SCIM answers 400 `invalidValue`
  (`scim/auth.py` for the query, `services/directory/scim_resources.py` for bodies); pages
  (admin, dashboard) answer the form's error, a 422 naming the field
  (`nul_refusals.refuse_nul_in_page_input`, each page blueprint's first before_request).
- Foreign text portal only stores for people to read (IdP payloads of sign-in attempts,
  what webhook and log-stream receivers answered) keeps NUL as U+FFFD, by one function the
  services call: `portal.services.infra.nul_characters.readable_text`.

Not in the kit, but the same for every blueprint: URL prefixes are given where the blueprints
are registered (`portal/__init__.py`), and views never commit (services own the
transaction; tests/test_architecture.py).
"""
