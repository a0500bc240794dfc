"""Sign-in attempts and their codes are not kept for ever (sign_in_retention)."""

import time
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from portal.models.columns import utcnow
from portal.services.infra.ids import time_of
from portal.services.sso import sign_in_retention
from tasks import periodic
from tests.sso.sign_in_flow import redirect_params


def _sign_in(saml, idp) -> str:
    """A real sign-in through the IdP; the one-time code the app receives."""
    request_id = idp.request_id(saml.authorize().headers["Location"])
    response = idp.respond(
        sp_entity_id=saml.entity_id, destination=saml.acs_url, in_response_to=request_id
    )
    return redirect_params(saml.post_response(response))["code"]


def _attempt_ids() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(ConnectionSession.id).order_by(ConnectionSession.id)).all()


def _grants() -> list[SignInGrant]:
    db.session.expire_all()
    return db.session.scalars(select(SignInGrant).order_by(SignInGrant.id)).all()


def test_attempts_past_the_retention_period_go_and_later_ones_stay(app, saml, idp):
    _sign_in(saml, idp)
    time.sleep(0.005)  # ids are time-ordered to the millisecond
    _sign_in(saml, idp)
    _, second = _attempt_ids()
    days = app.config["PORTAL_SIGN_IN_RETENTION_DAYS"]

    sign_in_retention.purge_expired(now=time_of(second) + timedelta(days=days))

    assert _attempt_ids() == [second]
    assert _grants() == []  # both codes long spent


def test_a_code_goes_a_day_after_it_is_spent_unless_its_access_token_lives(app, saml, idp):
    exchanged = saml.token(_sign_in(saml, idp))
    assert exchanged.status_code == 200
    _sign_in(saml, idp)  # a code nobody collects
    _sign_in(saml, idp)
    long_lived = _grants()[2]
    long_lived.access_token_expires_at = utcnow() + timedelta(days=30)
    db.session.commit()

    assert sign_in_retention.purge_expired(now=utcnow() + timedelta(hours=23)) == 0
    assert len(_grants()) == 3

    sign_in_retention.purge_expired(now=utcnow() + timedelta(days=1, minutes=11))
    assert [grant.id for grant in _grants()] == [long_lived.id]
    assert len(_attempt_ids()) == 3  # the attempts themselves are kept for the recent sign-ins


def test_a_collected_code_cannot_be_collected_after_the_purge_either(app, saml, idp):
    code = _sign_in(saml, idp)
    sign_in_retention.purge_expired(now=utcnow() + timedelta(days=2))
    refused = saml.token(code)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "invalid_grant"


def test_the_purge_runs_every_hour():
    assert periodic.EVERY["tasks.sign_ins.purge_expired"] == timedelta(hours=1)
