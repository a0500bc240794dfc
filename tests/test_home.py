import re


def test_the_front_page_is_the_dashboard_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    assert "Sign in to the portal dashboard" in page
    assert "portal is running" in page


def test_htmx_is_served_from_our_own_static_folder(client):
    with client.get("/static/vendor/htmx.min.js") as response:
        assert response.status_code == 200, "run `make vendor` to fetch htmx from npm"
        assert b"htmx" in response.data


def test_pages_name_an_icon_that_is_served(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    with client.get(href) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
