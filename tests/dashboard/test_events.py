"""Settings → Events: the outbox newest first, filtered by type and organization, paged by
cursor, and one event as the JSON the API and webhooks send."""

import json
import re

from portal.services.organizations import organizations
from portal.services.organizations.organizations import OrganizationChanges
from tests.factories import make_organization


def body(response) -> str:
    return response.get_data(as_text=True)


def listed_ids(page: str) -> list[str]:
    return re.findall(r'href="/dashboard/settings/events/(event_[0-9A-Z]+)"', page)


def test_filter_by_type_and_organization(dashboard_client):
    acme = make_organization("Acme Corp")
    beta = make_organization("Beta Inc")
    organizations.update_organization(
        acme.id, OrganizationChanges(name="Acme Corporation", provided={"name"})
    )
    everything = body(dashboard_client.get("/dashboard/settings/events"))
    assert len(listed_ids(everything)) == 3
    rows = everything[everything.index("<tbody>") :]
    assert rows.index("organization.updated") < rows.index("organization.created")  # newest first

    created = body(dashboard_client.get("/dashboard/settings/events?type=organization.created"))
    assert len(listed_ids(created)) == 2 and "organization.updated</code></a>" not in created

    of_acme = body(dashboard_client.get(f"/dashboard/settings/events?organization_id={acme.id}"))
    assert len(listed_ids(of_acme)) == 2 and "Beta Inc" not in of_acme
    both = body(
        dashboard_client.get(
            f"/dashboard/settings/events?organization_id={beta.id}&type=organization.created"
        )
    )
    assert len(listed_ids(both)) == 1 and "Beta Inc" in both


def test_cursor_pagination_keeps_the_filters(dashboard_client):
    for n in range(27):
        make_organization(f"Org {n:02}")
    first = body(dashboard_client.get("/dashboard/settings/events?type=organization.created"))
    assert len(listed_ids(first)) == 25
    older = re.search(r'href="(/dashboard/settings/events\?[^"]*after=[^"]+)"', first).group(1)
    older = older.replace("&amp;", "&")
    assert "type=organization.created" in older
    second = body(dashboard_client.get(older))
    assert len(listed_ids(second)) == 2
    assert not set(listed_ids(first)) & set(listed_ids(second))
    assert "Newer" in second


def test_an_unknown_type_is_explained_not_a_500(dashboard_client):
    response = dashboard_client.get("/dashboard/settings/events?type=nope.happened")
    assert response.status_code == 422
    assert "Unknown event type" in body(response) and 'id="f-type-error"' in body(response)


def test_one_event_as_json(dashboard_client):
    acme = make_organization("Acme Corp")
    event_id = listed_ids(body(dashboard_client.get("/dashboard/settings/events")))[0]
    page = body(dashboard_client.get(f"/dashboard/settings/events/{event_id}"))
    shown = re.search(r'<pre class="event-json">(.*?)</pre>', page, re.S).group(1)
    data = json.loads(shown.replace("&#34;", '"').replace("&quot;", '"'))
    assert data["id"] == event_id and data["event"] == "organization.created"
    assert data["data"]["id"] == acme.id and data["data"]["name"] == "Acme Corp"
    assert dashboard_client.get("/dashboard/settings/events/event_nope").status_code == 404
