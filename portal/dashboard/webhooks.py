"""Settings → Webhooks: the endpoints events go to, and each one's delivery log."""

from flask import flash, redirect, render_template, request, url_for

from portal.dashboard import bp
from portal.errors import Conflict, EndpointDisabled, InvalidInput
from portal.services.delivery import webhook_log, webhooks
from portal.services.delivery.events import EVENT_TYPES
from portal.services.infra.pagination import PageRequest
from portal.services.infra.validation import by_field

PAGE_SIZE = 20
DELIVERIES_PER_PAGE = 25


def _page_request(limit: int = PAGE_SIZE) -> PageRequest:
    return PageRequest(
        limit=limit, before=request.args.get("before"), after=request.args.get("after")
    )


def _endpoints_page(status=200, **context):
    context.setdefault("errors", {})
    context.setdefault("form", {"events": []})
    page = render_template(
        "dashboard/webhooks.html",
        page=webhooks.list_endpoints(_page_request()),
        event_types=sorted(EVENT_TYPES),
        **context,
    )
    return page, status


@bp.get("/settings/webhooks")
def webhook_endpoints():
    return _endpoints_page()


@bp.post("/settings/webhooks")
def create_webhook_endpoint():
    form = {
        "endpoint_url": request.form.get("endpoint_url", "").strip(),
        "events": request.form.getlist("events"),
    }
    try:
        endpoint = webhooks.create_endpoint(form["endpoint_url"], form["events"])
    except InvalidInput as error:
        return _endpoints_page(error.status, form=form, errors=by_field(error, "endpoint_url"))
    except Conflict as error:
        return _endpoints_page(error.status, form=form, errors={"endpoint_url": error.message})
    return _endpoints_page(201, new_endpoint=endpoint, secret=endpoint.secret)


@bp.post("/settings/webhooks/<endpoint_id>/status")
def set_webhook_status(endpoint_id):
    wanted = request.form.get("status", "")
    endpoint = webhooks.update_endpoint(endpoint_id, webhooks.EndpointChanges(status=wanted))
    verb = "paused: no deliveries" if endpoint.status == "disabled" else "enabled"
    flash(f"{endpoint.endpoint_url} is {verb}.")
    back_to_detail = request.form.get("back") == "detail"
    return redirect(_detail_url(endpoint_id) if back_to_detail else _list())


@bp.get("/settings/webhooks/<endpoint_id>/delete")
def confirm_webhook_deletion(endpoint_id):
    """Deleting also drops the delivery log, so it is asked for twice."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    return render_template("dashboard/webhook_delete.html", endpoint=endpoint)


@bp.post("/settings/webhooks/<endpoint_id>/delete")
def delete_webhook_endpoint(endpoint_id):
    url = webhooks.get_endpoint(endpoint_id).endpoint_url
    webhooks.delete_endpoint(endpoint_id)
    flash(f"Deleted the endpoint {url} and its delivery log.")
    return redirect(_list())


@bp.get("/settings/webhooks/<endpoint_id>")
def webhook_endpoint(endpoint_id):
    """The endpoint and its delivery log: every attempt, newest delivery first."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    page = webhook_log.list_deliveries(endpoint.id, _page_request(DELIVERIES_PER_PAGE))
    return render_template("dashboard/webhook_endpoint.html", endpoint=endpoint, page=page)


@bp.post("/settings/webhooks/<endpoint_id>/deliveries/<delivery_id>/redeliver")
def redeliver_webhook(endpoint_id, delivery_id):
    try:
        delivery = webhook_log.redeliver(endpoint_id, delivery_id)
    except EndpointDisabled as error:
        flash(error.message)
    else:
        flash(f"Sending {delivery.event.event} ({delivery.event_id}) again.")
    return redirect(_detail_url(endpoint_id))


def _detail_url(endpoint_id: str) -> str:
    return url_for("dashboard.webhook_endpoint", endpoint_id=endpoint_id)


def _list() -> str:
    return url_for("dashboard.webhook_endpoints")
