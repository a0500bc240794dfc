"""The IT admin's busiest page, the directory's users, reads the database a fixed, small number
of times however many users the directory has (no statement per row)."""

import pytest

from portal.extensions import db
from portal.services.account import credentials
from tests.factories import make_directory
from tests.scim.scim_client import ScimClient, user_body
from tests.statements import statements_of


def read_by(client, path: str) -> list:
    """What a request reads once the process has the app-wide settings (branding) at hand."""
    assert client.get(path).status_code == 200
    db.session.remove()  # a request starts with a session of its own, as under a server
    return statements_of(lambda: client.get(path))


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/admin/directory-sync", 5),
        ("/admin/directory-sync/users?page=2", 5),
        ("/admin/directory-sync/users?q=u1", 6),  # and the count of what the search found
    ],
)
def test_the_users_page_reads_a_fixed_number_of_times(app, org, admin_client, path, most):
    credentials.environment()  # made by `portal init` in a deployment
    directory, token = make_directory(org)
    scim = ScimClient(app, directory.id, token)
    client = admin_client("dsync")
    counts = []
    for batch in (range(0, 3), range(3, 30)):  # 3 users, then 30 (more than a page)
        for number in batch:
            assert scim.post("/Users", user_body(f"u{number}@acme.test")).status_code == 201
        counts.append(len(read_by(client, path)))
    assert counts[0] == counts[1] <= most, counts
