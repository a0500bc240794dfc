"""Paging through 250 organizations with the SDK's cursors, forwards and backwards.

The organizations are made once for this module (through the service layer, which is much
faster than 250 API calls) and only read by its tests.
"""

import pytest
from workos import WorkOSClient

from portal.extensions import db
from portal.services.account import credentials
from portal.services.organizations import organizations
from portal.services.organizations.organizations import OrganizationChanges
from tests.environment import delete_all_rows

COUNT = 250


@pytest.fixture(scope="module")
def paging(server_app, base_url):
    """A client and the ids of 250 organizations, oldest first; all rows deleted afterwards."""
    with server_app.app_context():
        _, secret = credentials.create_api_key("compat-pagination")
        client_id = credentials.environment().client_id
        ids = [
            organizations.create_organization(
                OrganizationChanges(name=f"Org {n:03d}", provided={"name"})
            ).id
            for n in range(COUNT)
        ]
        db.session.remove()
    client = WorkOSClient(api_key=secret, client_id=client_id, base_url=base_url, max_retries=0)
    yield client, ids
    client.close()
    with server_app.app_context():
        delete_all_rows()
        db.session.remove()


@pytest.fixture
def workos(paging):
    return paging[0]


@pytest.fixture
def org_ids(paging):
    return paging[1]


def ids(page) -> list[str]:
    return [org.id for org in page]


def test_auto_paging_yields_every_organization_once_newest_first(workos, org_ids):
    pages = workos.organizations.list_organizations(limit=100).auto_paging_iter()

    assert ids(pages) == org_ids[::-1]


def test_auto_paging_in_ascending_order_yields_them_oldest_first(workos, org_ids):
    pages = workos.organizations.list_organizations(limit=100, order="asc").auto_paging_iter()

    assert ids(pages) == org_ids


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_walking_backwards_with_before_returns_every_organization_in_order(workos, org_ids, order):
    page = workos.organizations.list_organizations(limit=100, order=order)
    while page.after:
        page = workos.organizations.list_organizations(limit=100, order=order, after=page.after)

    pages = [ids(page)]
    while page.before:
        page = workos.organizations.list_organizations(limit=100, order=order, before=page.before)
        pages.insert(0, ids(page))

    assert [len(p) for p in pages] == [100, 100, 50]
    assert [i for p in pages for i in p] == (org_ids[::-1] if order == "desc" else org_ids)


def test_the_first_page_has_no_before_and_the_last_no_after(workos):
    first = workos.organizations.list_organizations(limit=100)
    second = workos.organizations.list_organizations(limit=100, after=first.after)
    last = workos.organizations.list_organizations(limit=100, after=second.after)

    assert first.list_metadata.before is None
    assert first.list_metadata.after == first.data[-1].id
    assert second.list_metadata.before == second.data[0].id
    assert second.list_metadata.after == second.data[-1].id
    assert last.list_metadata.before == last.data[0].id
    assert last.list_metadata.after is None
    assert not last.has_more()
    assert len(last.data) == 50


def test_uneven_pages_backwards_still_cover_everything(workos, org_ids):
    page = workos.organizations.list_organizations(limit=7, order="asc", after=org_ids[-8])
    assert ids(page) == org_ids[-7:]
    assert page.after is None

    walked = ids(page)
    while page.before:
        page = workos.organizations.list_organizations(limit=7, order="asc", before=page.before)
        walked[:0] = ids(page)

    assert walked == org_ids


def test_normal_order_lists_newest_first_and_pages_on_with_before(workos, org_ids):
    page = workos.organizations.list_organizations(limit=100, order="normal")
    assert page.after is None

    walked = ids(page)
    while page.before:
        page = workos.organizations.list_organizations(
            limit=100, order="normal", before=page.before
        )
        walked.extend(ids(page))

    assert walked == org_ids[::-1]
