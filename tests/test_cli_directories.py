"""`flask portal create-directory`: operators script directory set-up with its JSON."""

import json

from sqlalchemy import select

from portal.extensions import db
from portal.models import Directory
from tests.factories import make_organization


def test_create_directory_prints_a_working_scim_url_and_token(app, runner):
    org = make_organization("Acme")
    result = runner.invoke(
        args=["portal", "create-directory", "--organization", org.id, "--type", "azure scim v2.0"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert set(printed) == {"directory_id", "scim_base_url", "bearer_token"}
    assert printed["scim_base_url"] == f"http://portal.test/scim/v2/{printed['directory_id']}"
    directory = db.session.scalars(select(Directory)).one()
    assert (directory.id, directory.type, directory.state) == (
        printed["directory_id"],
        "azure scim v2.0",
        "unlinked",
    )
    assert printed["bearer_token"] not in directory.token_hash
    path = printed["scim_base_url"].removeprefix("http://portal.test") + "/Users"
    headers = {"Authorization": f"Bearer {printed['bearer_token']}"}
    assert app.test_client().get(path, headers=headers).status_code == 200


def test_create_directory_refuses_unknown_organizations_and_types(app, runner):
    missing = runner.invoke(args=["portal", "create-directory", "--organization", "org_nope"])
    assert missing.exit_code == 1
    assert "not found" in missing.output
    org = make_organization("Acme")
    wrong = runner.invoke(
        args=["portal", "create-directory", "--organization", org.id, "--type", "ldap"]
    )
    assert wrong.exit_code == 1
    assert "type must be one of" in wrong.output
