import pytest


@pytest.fixture
def dashboard_requests(app) -> list[tuple[str, str]]:
    """(method, path) of every dashboard route but the sign-in page, ids filled in."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("dashboard.") or rule.endpoint == "dashboard.login":
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "x_1")
        requests += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return requests
