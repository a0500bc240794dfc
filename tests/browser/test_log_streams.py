"""The IT admin sets up a Splunk stream in real Chromium and sends a test event to a real HEC
on loopback."""

import pytest

from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import org_with
from tests.peers.log_receiver import LogReceiver


@pytest.fixture
def splunk(portal):
    app, _ = portal
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = True  # the receiver is on loopback
    receiver = LogReceiver("splunk", "hec-token")
    yield receiver
    receiver.stop()
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False


@org_with(domains=[])
def test_the_admin_sets_up_splunk_and_sends_a_test_event(page, org, admin_link, splunk):
    page.goto(admin_link("log_streams"))
    assert page.url.endswith("/admin/log-streams")
    assert accessibility_violations(page) == []

    page.get_by_label("Splunk HEC").check()
    page.get_by_label("HEC URL").fill(splunk.base_url)
    page.get_by_label("HEC token").fill("hec-token")
    page.get_by_role("button", name="Save stream").click()
    page.get_by_text("None yet").wait_for()

    page.get_by_role("button", name="Send test event").click()
    page.get_by_text("The test event arrived: the receiver answered 200.").wait_for()
    assert len(splunk.accepted()) == 1
    assert accessibility_violations(page) == []
    screenshot(page, "log-streams-test-sent")
