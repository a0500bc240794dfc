"""Managing a connected directory: its users, which groups sync, the attribute map, reset."""

from flask import current_app, g, redirect, render_template, request, url_for

from portal.admin import bp, directory_sync
from portal.errors import InvalidInput, NotFound
from portal.idp_guides import guide_for
from portal.services.directory import (
    directories,
    directory_attribute_maps,
    directory_overview,
    group_sync,
)
from portal.services.infra.validation import by_field

MAX_KEY = 512  # the longest username stored


def _directory():
    directory = directories.for_organization(g.organization.id)
    if directory is None:
        raise NotFound("Set up directory sync first.")
    return directory


def _position() -> directory_overview.Position:
    """The page asked for: its number, and the username a page link starts after or ends
    before (a key no longer than a username)."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    after, before = request.args.get("after"), request.args.get("before")
    return directory_overview.Position(
        page, after and after[:MAX_KEY], None if after else before and before[:MAX_KEY]
    )


@bp.get("/directory-sync/users")
def directory_users():
    directory = _directory()
    query, position = request.args.get("q", ""), _position()
    if request.htmx:
        listing = directory_overview.search_users(directory, query, position)
        body = render_template("admin/_directory_users.html", listing=listing)
    else:
        counts = directories.counts(directory.id)
        users_total = counts["active"] + counts["inactive"]
        listing = directory_overview.search_users(directory, query, position, users_total)
        body = directory_sync.page(listing=listing, directory=directory, counts=counts)
    response = current_app.make_response(body)
    response.vary.add("HX-Request")
    return response


def _groups_page(error: InvalidInput | None = None, saved: dict | None = None):
    directory = _directory()
    context = {
        "directory": directory,
        "choices": group_sync.choices(directory),
        "all_groups": group_sync.selection(directory) is None,
        "error": error.message if error else None,
        "saved": saved,
    }
    return render_template("admin/directory_groups.html", **context), 422 if error else 200


@bp.get("/directory-sync/groups")
def directory_groups_sync():
    return _groups_page()


@bp.post("/directory-sync/groups")
def save_directory_groups_sync():
    directory = _directory()
    chosen = None if request.form.get("mode") != "selected" else request.form.getlist("group")
    try:
        saved = group_sync.set_selection(directory, chosen)
    except InvalidInput as refusal:
        return _groups_page(refusal)
    return _groups_page(saved=saved)


def _attributes_page(rows, error: InvalidInput | None = None, saved: bool = False):
    directory = _directory()
    context = {
        "directory": directory,
        "guide": guide_for(directory.type),
        "rows": rows + [("", "")] * 3,
        "problems": by_field(error, None) if error else {},
        "suggestions": directory_attribute_maps.suggestions(),
        "error": error.message if error else None,
        "saved": saved,
    }
    return render_template("admin/directory_attributes.html", **context), 422 if error else 200


@bp.get("/directory-sync/attributes")
def directory_attributes():
    directory = _directory()
    source = (
        directory_attribute_maps.defaults_for(directory.type)
        if request.args.get("defaults")
        else directory.attribute_map
    )
    return _attributes_page(list(source.items()))


@bp.post("/directory-sync/attributes")
def save_directory_attributes():
    pairs = zip(request.form.getlist("name"), request.form.getlist("path"), strict=False)
    rows = [(name, path) for name, path in pairs if name.strip() or path.strip()]
    try:
        directory_attribute_maps.update(_directory(), rows)
    except InvalidInput as refusal:
        return _attributes_page(rows, refusal)
    return _attributes_page(list(_directory().attribute_map.items()), saved=True)


@bp.get("/directory-sync/reset")
def confirm_directory_reset():
    directory = _directory()
    counts = directories.counts(directory.id)
    return render_template(
        "admin/directory_reset.html", directory=directory, counts=counts, error=None
    )


@bp.post("/directory-sync/reset")
def reset_directory():
    directory = _directory()
    if request.form.get("confirm") != "yes":
        counts = directories.counts(directory.id)
        error = "Tick the box to confirm that the directory and its users are deleted."
        page = render_template(
            "admin/directory_reset.html", directory=directory, counts=counts, error=error
        )
        return page, 422
    directories.reset_for_portal(g.organization.id)
    return redirect(url_for("admin.directory_sync", reset="done"), 303)
