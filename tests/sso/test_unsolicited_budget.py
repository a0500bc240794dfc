"""Anyone can post to an ACS URL: failed responses that answer no sign-in portal started are
recorded up to the connection's hourly budget, then only counted, and the IT admin is told
how many were not recorded. Sign-ins portal started, and IdP-initiated sign-ins that succeed,
are always recorded. docs/security.md ("Rate limits") points here."""

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ConnectionSession, UnsolicitedResponseCount
from portal.models.columns import utcnow
from portal.services.sso import sign_in_retention, unsolicited_responses
from tests.sso.sign_in_flow import REDIRECT_URI, redirect_params

BUDGET = 3


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [REDIRECT_URI], "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR": BUDGET}


def _recorded() -> int:
    return db.session.scalar(select(func.count(ConnectionSession.id)))


def _count(saml) -> UnsolicitedResponseCount:
    db.session.expire_all()
    return db.session.scalars(
        select(UnsolicitedResponseCount).where(
            UnsolicitedResponseCount.connection_id == saml.connection.id
        )
    ).one()


def _forgeries(saml, idp):
    """What a stranger can post: unreadable XML, an unsigned IdP-initiated response, an
    answer to a request we never sent, a forged OIDC callback. Each call makes one."""
    unsigned = _respond(saml, idp, None, sign_response=False, sign_assertion=False)
    never_sent = _respond(saml, idp, "_never_sent_by_us")
    garbage = base64.b64encode(b"<not-saml/>").decode()
    callback = f"/sso/oidc/{saml.connection.id}/callback"
    return [
        lambda: saml.post_response(garbage),
        lambda: saml.post_response(unsigned),
        lambda: saml.post_response(never_sent),
        lambda: saml.client.get(callback, query_string={"state": "forged"}),
    ]


def _respond(saml, idp, request_id, **overrides):
    return idp.respond(
        sp_entity_id=saml.entity_id,
        destination=saml.acs_url,
        in_response_to=request_id,
        **overrides,
    )


def _post_forgeries(saml, idp, how_many: int) -> list[int]:
    forgeries = _forgeries(saml, idp)
    return [forgeries[n % len(forgeries)]().status_code for n in range(how_many)]


def test_unsolicited_responses_past_the_budget_are_counted_not_recorded(saml, idp):
    for allow in (False, True):  # refused outright, or failing as IdP-initiated sign-ins
        saml.connection.allow_idp_initiated = allow
        db.session.commit()
        _post_forgeries(saml, idp, 4)
    assert _recorded() == BUDGET
    count = _count(saml)
    assert (count.received, count.not_recorded) == (8, 8 - BUDGET)


def test_the_answer_does_not_change_past_the_budget(saml, idp):
    within = _post_forgeries(saml, idp, 4)
    past = _post_forgeries(saml, idp, 4)
    assert within == past
    assert set(past) == {400}


def test_sign_ins_portal_started_are_recorded_past_the_budget(saml, idp):
    _post_forgeries(saml, idp, BUDGET + 2)
    started = idp.request_id(saml.authorize().headers["Location"])
    assert "code" in redirect_params(saml.post_response(_respond(saml, idp, started)))
    failing = idp.request_id(saml.authorize(state="s2").headers["Location"])
    unsigned = _respond(saml, idp, failing, sign_response=False, sign_assertion=False)
    assert redirect_params(saml.post_response(unsigned))["error"]
    states = db.session.scalars(
        select(ConnectionSession.state).where(ConnectionSession.request_id.in_([started, failing]))
    ).all()
    assert sorted(states) == ["failed", "succeeded"]
    assert _count(saml).not_recorded == 2


def test_idp_initiated_sign_ins_that_succeed_are_recorded_past_the_budget(saml, idp):
    saml.connection.allow_idp_initiated = True
    db.session.commit()
    _post_forgeries(saml, idp, BUDGET + 1)
    assert "code" in redirect_params(saml.post_response(_respond(saml, idp, None)))
    succeeded = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.state == "succeeded")
    ).all()
    assert len(succeeded) == 1
    assert _recorded() == BUDGET + 1


def test_the_budget_is_per_hour(saml, idp):
    _post_forgeries(saml, idp, BUDGET + 1)
    assert _recorded() == BUDGET
    count = _count(saml)
    count.hour -= timedelta(hours=1)  # the same responses, an hour ago
    db.session.commit()
    _post_forgeries(saml, idp, 1)
    assert _recorded() == BUDGET + 1


def test_the_it_admins_sign_ins_table_says_how_many_were_not_recorded(saml, idp, admin_client):
    admin = admin_client("sso", organization=saml.connection.organization)
    assert "not recorded" not in admin.get("/admin/sso/sessions").get_data(as_text=True)
    _post_forgeries(saml, idp, BUDGET + 2)
    page = admin.get("/admin/sso/sessions").get_data(as_text=True)
    assert "2 unsolicited sign-in responses were not recorded this hour" in page
    assert f"recorded up to {BUDGET} an hour" in page


def test_counts_of_hours_long_past_are_purged(saml, idp):
    _post_forgeries(saml, idp, 1)
    sign_in_retention.purge_expired(now=utcnow() + timedelta(hours=23))
    assert _count(saml).received == 1
    sign_in_retention.purge_expired(now=utcnow() + timedelta(days=1, hours=1))
    assert db.session.scalars(select(UnsolicitedResponseCount)).all() == []


def test_responses_arriving_together_never_record_more_than_the_budget(app, saml):
    connection_id = saml.connection.id

    def one_response(_) -> bool:
        with app.app_context():
            admitted = unsolicited_responses.admit(connection_id)
            db.session.commit()
            db.session.remove()
            return admitted

    with ThreadPoolExecutor(max_workers=6) as pool:
        admitted = list(pool.map(one_response, range(BUDGET * 4)))
    assert admitted.count(True) == BUDGET
    count = _count(saml)
    assert (count.received, count.not_recorded) == (BUDGET * 4, BUDGET * 3)
