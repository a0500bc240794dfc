"""The dsync section in real Chromium: choose Okta, copy the SCIM URL and token, and watch the
page turn "Connected" while an IdP-like client pushes users over real HTTP; then manage the
directory: search its users, see their groups on hover and keyboard focus, choose the groups
that sync, edit the attribute map and reset it."""

import json
import re
import threading
import urllib.parse
import urllib.request

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Directory
from tests.browser.evidence import accessibility_violations, screenshot
from tests.pages import shown_to_copy
from tests.scim.scim_client import GROUP_SCHEMA, SCIM_JSON, user_body

USERS = 30


class HttpScimClient:
    """An IdP's SCIM client: JSON over real HTTP to the live server."""

    def __init__(self, base_url: str, token: str):
        self.base_url, self.token = base_url, token

    def send(self, method: str, path: str, body=None) -> dict:
        request = urllib.request.Request(  # noqa: S310 (the test server's http URL)
            self.base_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": SCIM_JSON},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")

    def provision(self, done: threading.Event) -> None:
        """Okta's pattern: look up, create each user, then push groups with members."""
        lookup = urllib.parse.urlencode({"filter": 'userName eq "nobody@acme.test"', "count": 100})
        self.send("GET", f"/Users?startIndex=1&{lookup}")
        ids = []
        for n in range(USERS):
            given = f"Person{n:02}"
            body = user_body(f"person{n:02}@acme.test", given, "Lee", displayName=f"{given} Lee")
            ids.append(self.send("POST", "/Users", body)["id"])
        for name, members in (("Engineering", ids[:20]), ("Sales", ids[15:])):
            group = {"schemas": [GROUP_SCHEMA], "displayName": name}
            group["members"] = [{"value": user_id} for user_id in members]
            self.send("POST", "/Groups", group)
        done.set()


def test_dsync_setup_links_while_users_arrive_then_management(page, workos, admin_link):
    page.set_default_timeout(15000)
    page.goto(admin_link("dsync"))
    assert page.url.endswith("/admin/directory-sync")
    assert accessibility_violations(page) == []
    page.get_by_label("Okta", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    base_url = shown_to_copy(page, "scim-base-url")
    token = shown_to_copy(page, "scim-token")
    page.get_by_text("Waiting for the first request from your directory").wait_for()
    screenshot(page, "dsync-waiting")
    assert accessibility_violations(page) == []

    pushed = threading.Event()
    client = HttpScimClient(base_url, token)
    threading.Thread(target=client.provision, args=(pushed,), daemon=True).start()
    page.get_by_text("Connected: your directory has reached us").wait_for()
    screenshot(page, "dsync-linked")
    assert pushed.wait(30), "the SCIM client did not finish"

    page.get_by_role("link", name="See your users and groups").click()
    page.wait_for_load_state()  # htmx listens from here on
    page.get_by_text(f"{USERS} active users").wait_for()
    assert page.get_by_text(f"{USERS} users · page 1 of 2").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "dsync-manage")

    # Server-side search over htmx: the list narrows without a page load.
    page.get_by_label("Search users by name, email or username").fill("person17")
    page.get_by_text("1 user matching “person17”").wait_for()
    assert page.locator("table.users tbody tr").count() == 1
    page.wait_for_url(re.compile(r"q=person17"))

    # The user's groups: on keyboard focus, and on hover, a described pop-up.
    trigger = page.get_by_role("button", name="2 groups")
    tip = page.get_by_role("tooltip")
    expect(tip).to_be_hidden()
    trigger.focus()
    expect(tip).to_be_visible()
    expect(tip).to_have_text("Engineering, Sales")
    assert trigger.get_attribute("aria-describedby") == tip.get_attribute("id")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.mouse.move(0, 0)
    trigger.hover()
    expect(tip).to_be_visible()
    screenshot(page, "dsync-user-groups")

    # Groups sync: filter the checklist, choose Sales only.
    page.get_by_role("link", name="Edit groups sync").click()
    page.wait_for_load_state()
    page.get_by_label("Find a group").fill("sal")
    page.get_by_text("1 of 2 groups shown").wait_for()
    assert not page.get_by_label("Engineering").is_visible()
    page.get_by_label("Only the groups I choose below, and their members").check()
    page.get_by_label("Sales").check()
    page.get_by_role("button", name="Save groups sync").click()
    page.get_by_text("15 users and 1 group no longer do").wait_for()
    assert accessibility_violations(page) == []
    screenshot(page, "dsync-groups-sync")
    synced = workos.directory_sync.list_users(directory=base_url.rsplit("/", 1)[1], limit=100)
    assert len(synced.data) == USERS - 15

    # Attribute map: a typo is refused with a clear message next to the field.
    page.get_by_role("link", name="← Directory sync").click()
    page.get_by_role("link", name="Edit attribute map").click()
    page.get_by_label("SCIM attribute, row 1", exact=True).fill(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:departmnt"
    )
    page.get_by_role("button", name="Save attribute map").click()
    page.get_by_text("has no attribute 'departmnt'").wait_for()
    assert accessibility_violations(page) == []
    screenshot(page, "dsync-attribute-map-error")

    # Reset: a confirm step, then setup again from the provider choice.
    page.get_by_role("link", name="← Directory sync").click()
    page.get_by_role("link", name="Reset directory…").click()
    assert accessibility_violations(page) == []
    page.get_by_label("Yes, delete this directory and its users").check()
    page.get_by_role("button", name="Reset directory").click()
    page.get_by_text("Your directory was reset").wait_for()
    assert page.get_by_label("Okta", exact=True).is_visible()
    screenshot(page, "dsync-reset")
    db.session.expire_all()
    assert db.session.scalars(select(Directory)).all() == []
