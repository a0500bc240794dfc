"""The sign-ins table in management: sorted by time or state on the server, paged, via HTMX."""

import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import ConnectionSession
from portal.models.columns import utcnow
from portal.services.sso import connections
from tests.factories import make_organization

STATES = ("succeeded", "failed", "started")


@pytest.fixture
def admin(admin_client, org):
    admin = admin_client("sso")
    admin.post("/admin/sso/provider", data={"type": "OktaSAML"})
    connection = connections.newest_of(org.id)
    start = utcnow() - timedelta(hours=1)
    for number in range(23):
        db.session.add(
            ConnectionSession(
                connection_id=connection.id,
                organization_id=org.id,
                state=STATES[number % 3],
                error_code="bad_signature" if STATES[number % 3] == "failed" else None,
                profile={"email": f"user{number:02d}@acme.test"},
                created_at=start + timedelta(minutes=number),
            )
        )
        db.session.commit()  # one at a time: ids follow the order of creation
    return admin


def _rows(body: str) -> list[tuple[str, str]]:
    """(state, email) of each table row, in order."""
    return re.findall(
        r'<span class="badge badge-(\w+)">\w+</span></td>\s*<td>.*?</td>\s*<td>([^<]*)</td>',
        body,
        re.S,
    )


def _table(admin, **args):
    return admin.get("/admin/sso/sessions", query_string=args, headers={"HX-Request": "true"})


def test_the_page_shows_the_newest_ten_with_a_pager(admin):
    page = admin.get("/admin/sso").get_data(as_text=True)
    rows = _rows(page)
    assert [email for _, email in rows] == [f"user{n:02d}@acme.test" for n in range(22, 12, -1)]
    assert "Page 1 of 3 (23 sign-ins)" in page
    assert 'aria-sort="descending"' in page
    assert 'href="/admin/sso/sessions?sort=time&amp;order=desc&amp;page=2"' in page
    assert 'rel="prev"' not in page


def test_htmx_swaps_only_the_table_and_pages_through(admin):
    response = _table(admin, page=3)
    body = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<div id="sign-ins"') and "<html" not in body
    assert [email for _, email in _rows(body)] == [
        "user02@acme.test",
        "user01@acme.test",
        "user00@acme.test",
    ]
    assert 'rel="prev"' in body and 'rel="next"' not in body
    assert "Page 3 of 3" in _table(admin, page=99).get_data(as_text=True)  # clamped


def test_sorted_by_state_then_newest_first(admin):
    body = _table(admin, sort="state", order="asc").get_data(as_text=True)
    rows = _rows(body)
    assert [state for state, _ in rows] == ["failed"] * 8 + ["started"] * 2
    assert rows[0][1] == "user22@acme.test"
    assert 'aria-sort="ascending"' in body
    # the State header now offers the reverse order
    assert "/admin/sso/sessions?sort=state&amp;order=desc" in body
    reverse = _rows(_table(admin, sort="state", order="desc").get_data(as_text=True))
    assert [state for state, _ in reverse] == ["succeeded"] * 8 + ["started"] * 2


def test_oldest_first_and_nonsense_parameters_fall_back(admin):
    oldest = _rows(_table(admin, sort="time", order="asc").get_data(as_text=True))
    assert oldest[0][1] == "user00@acme.test"
    fallback = _rows(_table(admin, sort="drop table", order="sideways").get_data(as_text=True))
    assert fallback[0][1] == "user22@acme.test"


def test_the_full_page_works_without_htmx(admin):
    body = admin.get("/admin/sso/sessions", query_string={"page": 2}).get_data(as_text=True)
    assert '<h1 id="section-title">Sign-ins</h1>' in body and "Page 2 of 3" in body


def test_another_organization_sees_only_its_own_sign_ins(admin_client, admin):
    other = make_organization("Other Org", domains=["other.test"])
    intruder = admin_client("sso", organization=other)
    assert _table(intruder).status_code == 404  # no connection of its own
    intruder.post("/admin/sso/provider", data={"type": "OktaSAML"})
    body = _table(intruder).get_data(as_text=True)
    assert "acme.test" not in body and "No sign-ins yet." in body
