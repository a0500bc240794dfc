"""Audit logs: the organization's events, filtered and paged, and their export to CSV."""

from datetime import UTC, date, datetime, time, timedelta

from flask import Response, current_app, g, render_template, request

from portal.admin import bp
from portal.services.audit import audit_log_events, audit_log_exports
from portal.services.audit.audit_log_events import EventFilter
from portal.services.infra.pagination import PageRequest

PAGE_SIZE = 25
FILTER_FIELDS = ("action", "actor", "target", "start", "end")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
REVERSED_RANGE = "From is after To: swap the two dates to see the events between them."


def _filters(values) -> tuple[dict, str | None]:
    """The form's filters as typed, and what is wrong with them (dates), in plain words."""
    chosen = {name: _text(values, name) for name in FILTER_FIELDS}
    error = None
    for name in ("start", "end"):
        if chosen[name]:
            try:
                date.fromisoformat(chosen[name])
            except ValueError:
                error = "Enter dates as year-month-day, for example 2026-11-24."
                chosen[name] = ""
    if _reversed(chosen):
        error = REVERSED_RANGE
    return chosen, error


def _reversed(chosen: dict) -> bool:
    return bool(chosen["start"] and chosen["end"] and chosen["start"] > chosen["end"])


def _text(values, name: str) -> str:
    return (values.get(name) or "").strip()[:255]


def _day(value: str, next_day: bool = False) -> datetime | None:
    if not value:
        return None
    day = date.fromisoformat(value) + timedelta(days=1 if next_day else 0)
    return datetime.combine(day, time(), tzinfo=UTC)


def _event_filter(chosen: dict) -> EventFilter:
    return EventFilter(
        organization_id=g.organization.id,
        range_start=_day(chosen["start"]),
        range_end=_day(chosen["end"], next_day=True),  # the end day is included
        actions=(chosen["action"],) if chosen["action"] else (),
        actor=chosen["actor"] or None,
        target=chosen["target"] or None,
    )


@bp.get("/audit-logs")
def audit_logs():
    chosen, error = _filters(request.args)
    page = audit_log_events.list_events(
        _event_filter(chosen),
        PageRequest(
            limit=PAGE_SIZE,
            before=_text(request.args, "before") or None,
            after=_text(request.args, "after") or None,
        ),
    )
    kept = {name: value for name, value in chosen.items() if value}
    context = {"page": page, "chosen": chosen, "kept": kept, "error": error}
    if request.htmx and request.htmx.target == "audit-results":
        body = render_template("admin/_audit_log_results.html", **context)
    else:
        body = render_template(
            "admin/audit_logs.html",
            actions=audit_log_events.actions_of(g.organization.id),
            exports=audit_log_exports.exports_of(g.organization.id, limit=1),
            **context,
        )
    response = current_app.make_response(body)
    response.vary.add("HX-Request")
    return response


@bp.post("/audit-logs/exports")
def export_audit_logs():
    chosen, _ = _filters(request.form)
    if _reversed(chosen):
        # Answered 200 so that HTMX shows it where the export's progress would show.
        return render_template("admin/_audit_log_export.html", export_error=REVERSED_RANGE)
    event_filter = _event_filter(chosen)
    export = audit_log_exports.create_export(
        audit_log_exports.ExportRequest(
            organization_id=g.organization.id,
            range_start=event_filter.range_start or EARLIEST,
            range_end=event_filter.range_end or datetime.now(UTC) + timedelta(minutes=1),
            actions=event_filter.actions,
            actor=event_filter.actor,
            target=event_filter.target,
        )
    )
    return render_template("admin/_audit_log_export.html", export=export)


@bp.get("/audit-logs/exports/<export_id>")
def audit_log_export(export_id):
    export = audit_log_exports.get_export(export_id, g.organization.id)
    return render_template("admin/_audit_log_export.html", export=export)


@bp.get("/audit-logs/exports/<export_id>/download")
def download_audit_log_export_csv(export_id):
    export = audit_log_exports.ready_export(export_id, g.organization.id)
    filename = f"audit-log-{export.created_at:%Y-%m-%d}-{export.id[-6:].lower()}.csv"
    return Response(
        export.csv,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
