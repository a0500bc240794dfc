"""Settings → Embedding: the sites allowed to show the IT-admin portal in an iframe."""

from flask import current_app, flash, redirect, render_template, request, url_for

from portal.dashboard import bp
from portal.errors import InvalidInput
from portal.services.account import embedding
from portal.services.infra.validation import by_field


def _page(status=200, **context):
    context.setdefault("errors", {})
    context.setdefault("value", "\n".join(embedding.stored_origins()))
    page = render_template(
        "dashboard/embedding.html",
        from_environment=current_app.config["PORTAL_FRAME_ANCESTORS"],
        production=current_app.config["PORTAL_ENV"] == "production",
        **context,
    )
    return page, status


@bp.get("/settings/embedding")
def embedding_settings():
    return _page()


@bp.post("/settings/embedding")
def save_embedding_settings():
    raw = request.form.get("origins", "")
    try:
        origins = embedding.update_origins(raw)
    except InvalidInput as error:
        return _page(error.status, value=raw, errors=by_field(error, "origins"))
    if origins:
        flash(f"Saved. The portal may now be framed by {', '.join(origins)}.")
    else:
        flash("Saved. No origin set here may frame the portal.")
    return redirect(url_for("dashboard.embedding_settings"))
