"""Directory sync: choose the provider, copy the SCIM URL and token, watch it link, manage."""

from flask import current_app, g, render_template, request

from portal.admin import bp
from portal.errors import NotFound, PortalError
from portal.idp_guides import GUIDES, guide_for
from portal.services.directory import directories, directory_overview, group_sync


def page(
    token: str | None = None,
    error: str | None = None,
    status: int = 200,
    listing=None,
    token_error: str | None = None,
    directory=None,
    counts: dict | None = None,
):
    """The section: provider choice, or set-up and then management of the directory (the
    caller's, when it has already read it)."""
    directory = directory or directories.for_organization(g.organization.id)
    context = {
        "directory": directory,
        "token": token,
        "error": error,
        "token_error": token_error,
        "guides": GUIDES,
        "was_reset": request.args.get("reset") == "done" and directory is None,
    }
    if directory is not None:
        counts = counts or directories.counts(directory.id)
        users_total = counts["active"] + counts["inactive"]
        context.update(
            guide=guide_for(directory.type),
            base_url=directories.scim_base_url(current_app.config["PORTAL_PUBLIC_URL"], directory),
            counts=counts,
            selection=group_sync.selection(directory),
            listing=listing or directory_overview.search_users(directory, users_total=users_total),
        )
    return render_template("admin/directory_sync.html", **context), status


@bp.get("/directory-sync")
def directory_sync():
    return page()


@bp.post("/directory-sync")
def start_directory_sync():
    try:
        _, token = directories.start_for_portal(g.organization.id, request.form.get("type", ""))
    except PortalError as refusal:
        return page(error=refusal.message, status=422)
    return page(token=token)


@bp.post("/directory-sync/token")
def rotate_directory_token():
    directory = directories.for_organization(g.organization.id)
    if directory is None:
        raise NotFound("Set up directory sync first.")
    if request.form.get("confirm") != "yes":
        error = "Tick the box to confirm that the current token stops working now."
        return page(token_error=error, status=422)
    return page(token=directories.rotate_token(directory))


@bp.get("/directory-sync/status")
def directory_sync_status():
    directory = directories.for_organization(g.organization.id)
    if directory is None:
        raise NotFound("Set up directory sync first.")
    response = current_app.make_response(
        render_template("admin/_directory_status.html", directory=directory)
    )
    response.vary.add("HX-Request")
    return response
