"""Each request carries its directory's bearer token; the directory becomes `g.directory`."""

from flask import g, request

from portal.errors import ScimError
from portal.extensions import db
from portal.scim import bp
from portal.services.directory import scim_access
from portal.services.infra.nul_characters import NUL
from portal.web.bearer import bearer_token
from portal.web.rate_limits import count_scim_auth_failure


@bp.url_value_preprocessor
def take_directory_id(endpoint, values):
    g.directory_id = (values or {}).pop("directory_id", "")


@bp.url_defaults
def add_directory_id(endpoint, values):
    values.setdefault("directory_id", g.get("directory_id"))


@bp.before_request
def require_directory_token():
    if any(NUL in value for value in request.args.values()):
        raise ScimError("Query values must not contain NUL characters.", 400, "invalidValue")
    # A SCIM request answers with the rows it has just written; nothing else writes them
    # meanwhile in this request, so reloading each one after its commit is a wasted query.
    db.session().expire_on_commit = False
    token = bearer_token()
    directory = None
    if token:
        directory = scim_access.authenticate(g.directory_id, token)
    if directory is None:
        count_scim_auth_failure()
        raise ScimError("The bearer token is missing or not this directory's.", 401)
    g.directory = scim_access.record_activity(directory)


@bp.after_request
def scim_content_type(response):
    if response.mimetype == "application/json":
        response.mimetype = "application/scim+json"
    return response
