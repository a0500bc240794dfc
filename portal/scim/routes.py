"""Users and Groups (RFC 7644 3): thin views over the directory services."""

import json

from flask import g, request, url_for

from portal.errors import ScimError
from portal.scim import bp
from portal.services.directory import (
    deprovisioning_brake,
    directory_groups,
    directory_users,
    scim_resources,
)

MAX_COUNT = 1000


def _body():
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
        scim_resources.refuse_nul(body)
    except ValueError:
        raise ScimError("The request body is not valid JSON.", 400, "invalidSyntax") from None
    except RecursionError:
        raise ScimError("The request body is nested too deeply.", 400, "invalidSyntax") from None
    return body


def _int_param(args, name: str, default: int, minimum: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return max(int(raw), minimum)
    except ValueError:
        raise ScimError(f"{name} must be a whole number.", 400, "invalidValue") from None


def _project(resource: dict, args=None) -> dict:
    args = request.args if args is None else args
    return scim_resources.projection(args.get("attributes"), args.get("excludedAttributes"))(
        resource
    )


def _collection_url(endpoint: str) -> str:
    """`.../Users` or `.../Groups`, worked out once a request (a page shapes 100 resources)."""
    urls = g.setdefault("scim_collection_urls", {})
    if endpoint not in urls:
        urls[endpoint] = url_for(endpoint, _external=True)
    return urls[endpoint]


def _user(user) -> dict:
    location = f"{_collection_url('scim.list_users')}/{user.id}"
    # A user whose deactivation the brake holds reads as the IdP asked (docs/directory-sync.md).
    raw = deprovisioning_brake.scim_view(user)
    return scim_resources.represent(user, raw, "User", location)


def _group(group, with_members: bool = True) -> dict:
    location = f"{_collection_url('scim.list_groups')}/{group.id}"
    extra = {}
    if with_members:
        base = _collection_url("scim.list_users")
        extra["members"] = [
            {"value": user_id, "$ref": f"{base}/{user_id}", "type": "User", "display": display}
            for user_id, display in directory_groups.members(group)
        ]
    return scim_resources.represent(group, group.raw_attributes, "Group", location, extra)


def _created(resource: dict):
    return resource, 201, {"Location": resource["meta"]["location"]}


def _listing(query, shape, args=None):
    args = request.args if args is None else args
    start = _int_param(args, "startIndex", 1, 1)
    count = min(_int_param(args, "count", 100, 0), MAX_COUNT)
    rows, total = query(g.directory, args.get("filter"), start, count)
    resources = [_project(shape(row), args) for row in rows]
    return scim_resources.list_response(resources, total, start)


@bp.get("/Users")
def list_users():
    return _listing(directory_users.query_users, _user)


@bp.post("/Users")
def create_user():
    return _created(_user(directory_users.create_user(g.directory, _body())))


@bp.get("/Users/<user_id>")
def get_user(user_id):
    return _project(_user(directory_users.get_scim_user(g.directory, user_id)))


@bp.put("/Users/<user_id>")
def replace_user(user_id):
    return _user(directory_users.replace_user(g.directory, user_id, _body()))


@bp.patch("/Users/<user_id>")
def patch_user(user_id):
    return _user(directory_users.patch_user(g.directory, user_id, _body()))


@bp.delete("/Users/<user_id>")
def delete_user(user_id):
    directory_users.delete_user(g.directory, user_id)
    return "", 204


def _group_listing_shape(group):
    excluded = (request.args.get("excludedAttributes") or "").lower()
    return _group(group, with_members="members" not in excluded)


def _search_args() -> dict:
    body = _body()
    if not isinstance(body, dict):
        raise ScimError("The search request must be a JSON object.", 400, "invalidSyntax")
    names = {"filter", "startIndex", "count", "attributes", "excludedAttributes"}
    args = {}
    for key in names:
        value = body.get(key)
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if value is not None:
            args[key] = str(value)
    return args


@bp.post("/Users/.search")
def search_users():
    return _listing(directory_users.query_users, _user, _search_args())


@bp.post("/Groups/.search")
def search_groups():
    return _listing(directory_groups.query_groups, _group_listing_shape, _search_args())


@bp.post("/.search")
def search_all():
    args = _search_args()
    start = _int_param(args, "startIndex", 1, 1)
    count = min(_int_param(args, "count", 100, 0), MAX_COUNT)
    users, user_total = directory_users.query_users(g.directory, args.get("filter"), 1, MAX_COUNT)
    groups, group_total = directory_groups.query_groups(
        g.directory, args.get("filter"), 1, MAX_COUNT
    )
    shaped = [_user(u) for u in users] + [_group_listing_shape(x) for x in groups]
    page = [_project(r, args) for r in shaped[start - 1 : start - 1 + count]]
    return scim_resources.list_response(page, user_total + group_total, start)


@bp.get("/Groups")
def list_groups():
    return _listing(directory_groups.query_groups, _group_listing_shape)


@bp.post("/Groups")
def create_group():
    return _created(_group(directory_groups.create_group(g.directory, _body())))


@bp.get("/Groups/<group_id>")
def get_group(group_id):
    group = directory_groups.get_scim_group(g.directory, group_id)
    return _project(_group_listing_shape(group))


@bp.put("/Groups/<group_id>")
def replace_group(group_id):
    return _group(directory_groups.replace_group(g.directory, group_id, _body()))


@bp.patch("/Groups/<group_id>")
def patch_group(group_id):
    group = directory_groups.patch_group(g.directory, group_id, _body())
    # A membership PATCH of thousands answers without echoing every member back.
    if request.args.get("excludedAttributes") is None and request.args.get("attributes") is None:
        return "", 204
    return _project(_group(group))


@bp.delete("/Groups/<group_id>")
def delete_group(group_id):
    directory_groups.delete_group(g.directory, group_id)
    return "", 204
