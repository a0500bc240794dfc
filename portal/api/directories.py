"""`/directories`, `/directory_users`, `/directory_groups`: what the IdPs pushed over SCIM."""

from portal.api import bp
from portal.api.parsing import page_request, text_param
from portal.services.directory import (
    directories,
    directory_groups,
    directory_shapes,
    directory_users,
    group_sync,
)
from portal.services.infra import wire


@bp.get("/directories")
def list_directories():
    page = directories.list_directories(
        page_request(),
        organization_id=text_param("organization_id"),
        search=text_param("search"),
        domain=text_param("domain"),
    )
    items = [directory_shapes.directory(d, group_sync.exposed_counts(d)) for d in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.get("/directories/<directory_id>")
def get_directory(directory_id):
    directory = directories.get_directory(directory_id)
    return directory_shapes.directory(directory, group_sync.exposed_counts(directory))


@bp.delete("/directories/<directory_id>")
def delete_directory(directory_id):
    directories.delete_directory(directory_id)
    return "", 204


@bp.get("/directory_users")
def list_directory_users():
    directory_id, group_id = text_param("directory"), text_param("group")
    page = directory_users.list_users(
        page_request(),
        directory_id=directory_id,
        group_id=group_id,
        idp_id=text_param("idp_id"),
        email=text_param("email"),
        where=group_sync.exposed_users_clause(directory_id, group_id),
    )
    items = group_sync.user_api_shapes(page.items)
    return wire.list_envelope(items, page.before, page.after)


@bp.get("/directory_users/<user_id>")
def get_directory_user(user_id):
    return group_sync.user_api_shape(group_sync.exposed_user(user_id))


@bp.get("/directory_groups")
def list_directory_groups():
    directory_id = text_param("directory")
    page = directory_groups.list_groups(
        page_request(),
        directory_id=directory_id,
        user_id=text_param("user"),
        where=group_sync.exposed_groups_clause(directory_id),
    )
    items = [directory_shapes.group(group) for group in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.get("/directory_groups/<group_id>")
def get_directory_group(group_id):
    return directory_shapes.group(group_sync.exposed_group(group_id))
