"""The IT admin's portal, opened from a magic link (`/admin/...`)."""

from flask import Blueprint

from portal.web.nul_refusals import refuse_nul_in_page_input

bp = Blueprint("admin", __name__)
bp.before_request(refuse_nul_in_page_input)

from portal.admin import (  # noqa: E402, F401  (routes register on import)
    audit_logs,
    branding,
    certificates,
    context,
    directory_manage,
    directory_sync,
    domains,
    guard,
    launch,
    log_streams,
    sign_in_results,
    sso,
    sso_sign_ins,
)
