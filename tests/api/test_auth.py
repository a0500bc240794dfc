import pytest

from portal.services.account import credentials


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic c2tfeDp4", "Bearer sk_not_a_real_key", "sk_missing_scheme"],
)
def test_requests_without_a_valid_key_get_401_with_a_workos_body(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/organizations", headers=headers)
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "unauthorized"
    assert "API key" in body["message"]
    assert response.headers["X-Request-ID"].startswith("req_")


def test_a_revoked_key_stops_working(client):
    _, secret = credentials.create_api_key("old")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/organizations", headers=headers).status_code == 200
    credentials.create_api_key("old", replace=True)
    assert client.get("/organizations", headers=headers).status_code == 401


def test_healthz_needs_no_key(client):
    assert client.get("/healthz").status_code == 200
