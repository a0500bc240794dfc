"""Log streams: send the organization's audit log events to an HTTPS endpoint, Datadog or
Splunk; send a test event and see what the receiver answered."""

from flask import g, redirect, render_template, request, url_for

from portal.admin import bp
from portal.errors import InvalidInput
from portal.services.audit import log_streams


def _page(error: InvalidInput | None = None, status: int = 200):
    stream = log_streams.stream_of(g.organization.id)
    body = render_template(
        "admin/log_streams.html",
        stream=stream,
        state=log_streams.state(stream) if stream else None,
        types=log_streams.TYPES,
        sites=log_streams.DATADOG_SITES,
        form=request.form if error else {},
        error=error,
    )
    return body, status


@bp.get("/log-streams")
def log_streams_page():
    return _page()


@bp.post("/log-streams")
def configure_log_stream():
    settings = log_streams.StreamSettings(
        type=request.form.get("type", ""),
        url=request.form.get(f"url_{request.form.get('type', '')}", ""),
        datadog_site=request.form.get("datadog_site", ""),
        credential=request.form.get(f"credential_{request.form.get('type', '')}", ""),
    )
    try:
        log_streams.configure(g.organization.id, settings)
    except InvalidInput as refusal:
        return _page(refusal, 422)
    return redirect(url_for("admin.log_streams_page"))


@bp.post("/log-streams/test")
def test_log_stream():
    status, text = log_streams.send_test(g.organization.id)
    stream = log_streams.stream_of(g.organization.id)
    return render_template(
        "admin/_log_stream_status.html",
        stream=stream,
        state=log_streams.state(stream),
        types=log_streams.TYPES,
        test={"status": status, "text": text},
    )


@bp.post("/log-streams/remove")
def remove_log_stream():
    log_streams.remove(g.organization.id)
    return redirect(url_for("admin.log_streams_page"))
