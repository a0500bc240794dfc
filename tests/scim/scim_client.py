"""Talking SCIM to the app as an identity provider does."""

from flask import current_app

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class ScimClient:
    """A test client bound to one directory's SCIM base and bearer token."""

    def __init__(self, app, directory_id: str, token: str):
        self.client = app.test_client()
        self.base = f"/scim/v2/{directory_id}"
        self.headers = {"Authorization": f"Bearer {token}"}

    def open(self, method: str, path: str, body=None, **kwargs):
        return self.client.open(
            self.base + path,
            method=method,
            json=body,
            headers=self.headers,
            content_type=SCIM_JSON if body is not None else None,
            **kwargs,
        )

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, body):
        return self.open("POST", path, body)

    def put(self, path, body):
        return self.open("PUT", path, body)

    def patch(self, path, operations):
        return self.open("PATCH", path, {"schemas": [PATCH_OP], "Operations": operations})

    def delete(self, path):
        return self.open("DELETE", path)


def user_body(user_name: str, given: str = "Ann", family: str = "Lee", **extra) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "active": True,
        **extra,
    }


def provision_user_in_group(directory, token) -> tuple[str, str]:
    """A user and a group holding them, pushed over SCIM; returns their ids."""
    scim = ScimClient(current_app, directory.id, token)
    user = scim.post("/Users", user_body("ann@acme.test"))
    assert user.status_code == 201, user.get_data(as_text=True)
    group = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Engineering",
            "members": [{"value": user.json["id"]}],
        },
    )
    assert group.status_code == 201, group.get_data(as_text=True)
    return user.json["id"], group.json["id"]
