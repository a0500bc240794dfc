"""`make bench`: portal over HTTP as deployed, each figure beside a yardstick measured in the
same run, with the ratio and the target of issue #22.

portal runs as the README deploys it (bench/deployment.py: `portal serve`, `portal worker`,
PostgreSQL, Redis); clients are threads on loopback keep-alive connections in this process.
The yardsticks: the peer (BoxyHQ SAML Jackson, when `make bench-peer` installed it) for
SCIM, python3-saml's `is_valid` as shipped for the ACS, a bare Flask app on the same
PostgreSQL for pages and API reads. Sizes: BENCH_* variables (see SIZES). The machine drifts
minute to minute: read ratios, not absolute figures.
"""

import json
import os
import time
from contextlib import ExitStack

from sqlalchemy import text

from bench import acs_http, pages_http, scim_http, webhooks_http
from bench.deployment import REDIRECT_URI, bare_flask, gunicorn_rss, portal_deployment, rss_mib
from bench.pages_http import Comparison, Target, merged
from portal import create_app
from portal.extensions import db


def _size(name: str, default: int) -> int:
    return int(os.environ.get(f"BENCH_{name}", default))


SIZES = {
    "rounds": _size("ROUNDS", 2),
    "scim_users": _size("SCIM_USERS", 1_000),
    "scim_groups": _size("SCIM_GROUPS", 2),
    "scim_members": _size("SCIM_MEMBERS", 200),
    "scim_clients": _size("SCIM_CLIENTS", 8),
    "acs": _size("ACS", 400),
    "scale_small": _size("SCALE_SMALL", 1_000),
    "scale": _size("SCALE", 100_000),
    "page_requests": _size("PAGE_REQUESTS", 320),
    "phase_seconds": _size("PHASE_SECONDS", 6),
    "connections": _size("CONNECTIONS", 32),
    "api_requests": _size("API_REQUESTS", 1_000),
    "api_clients": _size("API_CLIENTS", 8),
    "webhooks": _size("WEBHOOKS", 1_000),
}
SCIM_PHASES = {
    "create": "SCIM create user",
    "filter": "SCIM filter userName eq",
    "deactivate": "SCIM PATCH deactivate (Entra)",
    "group": "SCIM PATCH group, +{members} members",
    "list": "SCIM list, pages of 100",
}


class Report:
    """Rows of (work, portal, yardstick, ratio, target), printed as a Markdown table."""

    def __init__(self):
        self.rows: list[tuple[str, ...]] = []

    def add(self, work, portal, yardstick="", ratio="", target="") -> None:
        self.rows.append((work, portal, yardstick, ratio, target))
        print(" | ".join(self.rows[-1]), flush=True)  # progress as the run goes

    def print(self) -> None:
        header = ("work", "portal", "yardstick", "ratio", "target")
        print("\n| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


def ratio(ours: float, theirs: float, wanted: float | None = None, less: bool = False) -> tuple:
    """("1.23x", "≥ 3x met") for higher-is-better figures; `less`: lower is better."""
    value = ours / theirs if theirs else float("inf")
    if wanted is None:
        return f"{value:.2f}x", ""
    met = value <= wanted if less else value >= wanted
    return f"{value:.2f}x", f"{'≤' if less else '≥'} {wanted:g}x {'met' if met else 'MISSED'}"


def bench_app(deployment):
    """portal in this process, on the deployment's database and queue: for setting up
    tenants through the services and counting SQL statements."""
    environment = deployment.environment
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": deployment.database_url,
            "REDIS_URL": environment["REDIS_URL"],
            "PORTAL_QUEUE_NAME": environment["PORTAL_QUEUE_NAME"],
            "PORTAL_INPROCESS_WORKER": False,
            "PORTAL_PUBLIC_URL": deployment.public_url,
            "PORTAL_REDIRECT_URIS": [REDIRECT_URI],
            "SECRET_KEY": environment["SECRET_KEY"],
            "PORTAL_RATE_LIMITS_ENABLED": False,
        }
    )


def _sql(app, statement: str) -> None:
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(statement))


def keep_fresh(app) -> None:
    """No autovacuum ANALYZE on the bench's tables: directories stay as fresh as a new
    customer's before autovacuum catches up (planner without statistics of their rows)."""
    with app.app_context():
        tables = db.session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        tables = list(tables)
        db.session.rollback()
    for table in tables:
        _sql(app, f'ALTER TABLE "{table}" SET (autovacuum_enabled = off)')


def scim_section(app, deployment, report: Report, peer) -> None:
    sizes = SIZES
    users, groups, members = sizes["scim_users"], sizes["scim_groups"], sizes["scim_members"]
    ours = scim_http.PortalTarget(app, deployment.port)
    targets = [ours] + ([peer] if peer else [])
    for target in targets:  # untimed: every server process imports, connects and caches
        warm_up = scim_http.Round(target, sizes["scim_clients"])
        warm_up.run(range(50), 1, 20)
        warm_up.close()
    results: dict[str, list[dict]] = {t.name: [] for t in targets}
    last = None  # portal's latest directory, measured again after ANALYZE
    for number in range(sizes["rounds"]):
        for target in targets if number % 2 == 0 else targets[::-1]:
            run = scim_http.Round(target, sizes["scim_clients"])
            results[target.name].append(run.run(range(users), groups, members))
            if target is ours:
                last, run = run, last
            if run is not None:
                run.close()
    _sql(app, "ANALYZE")
    analyzed = last.run(range(users, 2 * users), groups, members)
    last.close()
    # A new customer in a live database: the tables analyzed, this directory's rows unknown.
    newcomer = scim_http.Round(ours, sizes["scim_clients"])
    newcomer_phases = newcomer.run(range(users), groups, members)
    newcomer.close()
    _scim_rows(report, results, peer, analyzed, newcomer_phases)


def _scim_rows(report: Report, results: dict, peer, analyzed: dict, newcomer: dict) -> None:
    for key, label in SCIM_PHASES.items():
        label = label.format(members=SIZES["scim_members"])
        fresh = merged([r[key] for r in results["portal"]])
        if peer:
            theirs = merged([r[key] for r in results[peer.name]])
            report.add(
                label,
                fresh.summary(),
                f"Jackson {theirs.summary()}",
                *ratio(fresh.rate, theirs.rate, 3),
            )
        else:
            report.add(label, fresh.summary(), "peer not installed (make bench-peer)")
        slower = min(fresh.rate, newcomer[key].rate)
        report.add(
            f"  {label}: fresh (never analyzed; new directory in an analyzed database) "
            "/ after ANALYZE",
            f"{fresh.rate:.0f} /s; {newcomer[key].rate:.0f} /s",
            f"analyzed {analyzed[key].rate:.0f} /s",
            *ratio(slower, analyzed[key].rate, 0.9),
        )


def acs_section(app, deployment, report: Report) -> str:
    """The ACS figure; returns the organization of its SAML connection."""
    result = acs_http.run(app, deployment.port, SIZES["acs"])
    acs = result["acs"]
    report.add(
        f"SAML ACS end to end (HTTP, {acs_http.CLIENTS} clients)",
        acs.summary(),
        f"python3-saml is_valid as shipped, 1 thread {result['raw']:.0f} /s",
        *ratio(acs.rate, result["raw"], 2),
    )
    for reason, count in result["refused"].items():
        report.add("  ACS responses refused", f"{count}: {reason}")
    return result["organization_id"]


def page_targets(cookies: dict, directories: list) -> list[Target]:
    count = SIZES["page_requests"]
    small = directories[0]
    targets = [
        Target(
            "portal SSO management page",
            ["/admin/sso"] * count,
            small.paths("first", count)[1],
            {"Cookie": f"{pages_http.COOKIE}={cookies['sso']}"},
        )
    ]
    for directory in directories:
        for kind, name in (("first", "page 1"), ("random", "random page"), ("search", "search")):
            ours, bare = directory.paths(kind, count)
            label = f"portal users page, {directory.size:,} users, {name}"
            cookie = {"Cookie": f"{pages_http.COOKIE}={cookies[directory.id]}"}
            targets.append(Target(label, ours, bare, cookie))
    return targets


def api_targets(deployment, organization_id: str) -> list[Target]:
    count = SIZES["api_requests"]
    headers = pages_http.api_headers(deployment.api_key)
    bare = [f"/organizations/{organization_id}"] * count
    link = {"organization": organization_id, "intent": "sso"}
    return [
        Target(
            "API GET /organizations/{id}",
            [f"/organizations/{organization_id}"] * count,
            bare,
            headers,
        ),
        Target(
            "API GET /organizations (list of 10)",
            ["/organizations?limit=10"] * count,
            bare,
            headers,
        ),
        Target(
            "API POST /portal/generate_link",
            [("POST", "/portal/generate_link", link)] * count,
            bare,
            headers,
        ),
    ]


def pages_section(app, deployment, report: Report, sso_organization: str, bare_port: int):
    sizes = SIZES
    started = time.perf_counter()
    directories = [
        pages_http.Directory(app, size) for size in (sizes["scale_small"], sizes["scale"])
    ]
    report.add(
        "  (seeded the page benches' directories by COPY, then VACUUM ANALYZE, in)",
        f"{time.perf_counter() - started:.1f} s",
    )
    open_link = pages_http.open_portal_link
    cookies = {"sso": open_link(deployment.port, deployment.api_key, sso_organization, "sso")}
    for directory in directories:
        cookies[directory.id] = open_link(
            deployment.port, deployment.api_key, directory.organization_id, "dsync"
        )
    counter = pages_http.StatementCounter(app)
    ports = (deployment.port, bare_port)
    comparisons: list[Comparison] = []
    for target in page_targets(cookies, directories):
        comparison = pages_http.compare(
            target, ports, sizes["connections"], sizes["rounds"], sizes["phase_seconds"]
        )
        counted = counter.count(_first_path(target.portal), target.headers)
        comparison.statements, comparison.begins = counted
        comparisons.append(comparison)
        _page_row(report, comparison, sizes["connections"])
    _growth_rows(report, comparisons, directories)
    organization_id = pages_http.api_organization(app)
    for target in api_targets(deployment, organization_id):
        comparison = pages_http.compare(
            target, ports, sizes["api_clients"], sizes["rounds"], sizes["phase_seconds"]
        )
        method, path, body = _request(target.portal[0])
        counted = counter.count(path, target.headers, method, body)
        comparison.statements, comparison.begins = counted
        _api_row(report, comparison)


def _request(item) -> tuple:
    if isinstance(item, str):
        return "GET", item, None
    return item[0], item[1], json.dumps(item[2])


def _first_path(requests: list) -> str:
    return _request(requests[0])[1]


def _page_row(report: Report, comparison: Comparison, connections: int) -> None:
    ours, theirs = comparison.portal, comparison.bare
    p99 = ours.percentile_ms(0.99)
    report.add(
        f"{comparison.label} ({connections} connections)",
        f"{ours.summary()}; {comparison.sql}",
        f"bare Flask {theirs.summary()}",
        *ratio(ours.rate, theirs.rate, 0.5),
    )
    few = comparison.statements <= 5
    report.add(
        f"  {comparison.label}: p99, SQL statements",
        f"{p99:.0f} ms; {comparison.statements} SQL",
        "",
        "",
        f"p99 < 100 ms {'met' if p99 < 100 else 'MISSED'}; ≤ 5 SQL {'met' if few else 'MISSED'}",
    )


def _growth_rows(report: Report, comparisons: list[Comparison], directories) -> None:
    by_label = {c.label: c for c in comparisons}
    small, large = directories[0].size, directories[1].size
    for name in ("page 1", "random page", "search"):
        before = by_label[f"portal users page, {small:,} users, {name}"]
        after = by_label[f"portal users page, {large:,} users, {name}"]
        ours = (after.portal.percentile_ms(0.5), before.portal.percentile_ms(0.5))
        bare = (after.bare.percentile_ms(0.5), before.bare.percentile_ms(0.5))
        report.add(
            f"users page {name}, p50 growth {small:,} → {large:,} users",
            f"{ours[1]:.1f} → {ours[0]:.1f} ms",
            f"bare Flask {bare[1]:.1f} → {bare[0]:.1f} ms ({bare[0] / bare[1]:.2f}x)",
            *ratio(ours[0], ours[1], 1.5, less=True),
        )


def _api_row(report: Report, comparison: Comparison) -> None:
    ours, theirs = comparison.portal, comparison.bare
    report.add(
        f"{comparison.label} ({SIZES['api_clients']} clients)",
        f"{ours.summary()}; {comparison.sql}",
        f"bare Flask JSON of the row {theirs.summary()}",
        *ratio(ours.rate, theirs.rate, 0.7),
    )


def webhook_section(app, deployment, report: Report) -> None:
    result = webhooks_http.run(app, deployment.port, deployment.api_key, SIZES["webhooks"])
    met = result["deliveries_per_s"] >= 500 and result["arrived"] == result["events"]
    report.add(
        f"webhook fan-out, {result['events']} events through `portal worker`",
        f"{result['deliveries_per_s']:.0f} deliveries/s; {result['arrived']}/{result['events']}"
        f" arrived ({result['duplicates']} twice)",
        f"all delivered {result['seconds']:.1f} s after the commit"
        if result["complete"]
        else f"stopped waiting {result['seconds']:.0f} s after the commit",
        "",
        f"≥ 500/s, all arrived {'met' if met else 'MISSED'}",
    )


def rss_rows(report: Report, deployment, bare_process) -> None:
    web = gunicorn_rss(deployment.web.pid)
    bare = gunicorn_rss(bare_process.pid)
    report.add(
        "RSS, portal web workers (gunicorn, after the run)",
        " ".join(f"{m:.0f}" for m in web) + " MiB",
        "bare Flask workers " + " ".join(f"{m:.0f}" for m in bare) + " MiB",
        *ratio(max(web), max(bare)),
    )
    report.add(
        "  RSS ≤ 100 MiB per web worker",
        f"max {max(web):.0f} MiB",
        "",
        "",
        f"≤ 100 MiB {'met' if max(web) <= 100 else 'MISSED'}",
    )
    report.add("RSS, `portal worker`", f"{rss_mib(deployment.worker.pid):.0f} MiB")
    report.add("RSS, gunicorn master", f"{rss_mib(deployment.web.pid):.0f} MiB")


def main() -> None:
    report = Report()
    started = time.perf_counter()
    print("sizes:", " ".join(f"{k}={v}" for k, v in SIZES.items()), flush=True)
    with ExitStack() as stack:
        deployment = stack.enter_context(portal_deployment())
        app = bench_app(deployment)
        keep_fresh(app)
        if scim_http.peer_installed():
            peer, peer_process = stack.enter_context(scim_http.peer())
            scim_section(app, deployment, report, peer)
            report.add("RSS, peer (node, after its rounds)", f"{rss_mib(peer_process.pid):.0f} MiB")
        else:
            scim_section(app, deployment, report, None)
        _sql(app, "ANALYZE")
        sso_organization = acs_section(app, deployment, report)
        bare_port, bare_process = stack.enter_context(bare_flask(deployment.database_url))
        pages_section(app, deployment, report, sso_organization, bare_port)
        webhook_section(app, deployment, report)
        rss_rows(report, deployment, bare_process)
        with app.app_context():
            db.engine.dispose()
    report.add("  (whole bench)", f"{time.perf_counter() - started:.0f} s")
    report.print()


if __name__ == "__main__":
    main()
