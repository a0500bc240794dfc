from portal.services import credentials


def test_home_tells_the_developer_how_to_point_the_sdk_here(client):
    page = client.get("/").get_data(as_text=True)
    assert "WORKOS_BASE_URL" in page
    assert "http://portal.test" in page
    assert credentials.environment().client_id in page


def test_htmx_is_served_from_our_own_static_folder(client):
    with client.get("/static/vendor/htmx.min.js") as response:
        assert response.status_code == 200, "run `make vendor` to fetch htmx from npm"
        assert b"htmx" in response.data
