"""The IT admin sets up a log stream, sends a test event and sees what the receiver answered."""

import pytest

from portal.services.audit import log_streams
from tests.peers.log_receiver import SPLUNK_PATH, LogReceiver


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def admin(admin_client):
    return admin_client("log_streams")


@pytest.fixture
def splunk():
    receiver = LogReceiver("splunk", "hec-token")
    yield receiver
    receiver.stop()


def configure_splunk(admin, splunk, token="hec-token"):  # noqa: S107  (a test token)
    return admin.post(
        "/admin/log-streams",
        data={"type": "splunk", "url_splunk": splunk.base_url, "credential_splunk": token},
    )


def test_a_configured_stream_shows_where_it_sends_and_its_last_delivery(admin, splunk, org):
    page = admin.get("/admin/log-streams").get_data(as_text=True)
    assert "Set up a stream" in page and "Splunk HTTP Event Collector" in page
    assert configure_splunk(admin, splunk).status_code == 302
    page = admin.get("/admin/log-streams").get_data(as_text=True)
    assert splunk.base_url in page and "None yet" in page and "Active" in page
    assert "hec-token" not in page  # a stored key is never shown back


def test_send_test_event_shows_the_receivers_answer(admin, splunk):
    configure_splunk(admin, splunk)
    fragment = admin.post("/admin/log-streams/test", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "The test event arrived: the receiver answered 200" in body
    assert "<html" not in body
    [arrival] = splunk.accepted()
    assert arrival.path == SPLUNK_PATH
    assert arrival.body["event"]["action"] == "portal.log_stream_test"


def test_a_refused_test_event_says_what_the_receiver_said(admin, splunk):
    configure_splunk(admin, splunk, token="not-the-token")
    body = admin.post("/admin/log-streams/test").get_data(as_text=True)
    assert "refused the test event with 403" in body and "invalid token" in body
    assert "Failing" in body


def test_missing_settings_are_explained_and_nothing_is_saved(admin, org):
    response = admin.post(
        "/admin/log-streams", data={"type": "datadog", "datadog_site": "datadoghq.com"}
    )
    assert response.status_code == 422
    assert "Enter the API key." in response.get_data(as_text=True)
    assert log_streams.stream_of(org.id) is None


def test_a_stream_can_be_removed(admin, splunk, org):
    configure_splunk(admin, splunk)
    assert admin.post("/admin/log-streams/remove").status_code == 302
    assert log_streams.stream_of(org.id) is None
    assert "Set up a stream" in admin.get("/admin/log-streams").get_data(as_text=True)


def test_sending_a_test_without_a_stream_is_a_clear_404(admin):
    response = admin.post("/admin/log-streams/test")
    assert response.status_code == 404
    assert "Set up a log stream first" in response.get_data(as_text=True)
