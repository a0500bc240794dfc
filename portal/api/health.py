"""`GET /healthz` for load balancers and operators."""

from flask import jsonify

from portal.api import bp
from portal.services.infra import health


@bp.get("/healthz")
def healthz():
    report = health.check()
    return jsonify(report), 200 if report["status"] == "ok" else 503
