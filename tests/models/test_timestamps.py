"""A new row's `updated_at` is its `created_at`, exactly: WorkOS answers a create with both
equal, and SDK users compare them to tell an untouched object."""

from portal.extensions import db
from portal.models import Organization, WebhookEndpoint
from portal.services.delivery import webhooks
from tests.factories import make_organization


def test_a_new_row_was_updated_when_it_was_created(app):
    made = [make_organization(f"Org {n}", domains=[]).id for n in range(20)]
    endpoint_id = webhooks.create_endpoint("https://1.1.1.1/hooks", ["organization.created"]).id
    db.session.expire_all()
    rows = [db.session.get(Organization, org_id) for org_id in made]
    rows.append(db.session.get(WebhookEndpoint, endpoint_id))
    assert all(row.updated_at == row.created_at for row in rows)


def test_a_change_moves_updated_at_only(app):
    org = make_organization("Acme", domains=[])
    created = org.created_at
    org.name = "Acme Corp"
    db.session.commit()
    db.session.expire_all()
    assert org.created_at == created and org.updated_at > created
