"""The admin's template context (branding, navigation, its template helpers) is scoped to the
admin blueprint: dashboard pages do not get it, admin pages and their error pages render."""

from contextlib import contextmanager

from flask import template_rendered

from portal.services.account import credentials

ADMIN_ONLY = {"brand", "nav_sections", "connection_states", "unmatched_attributes"}


@contextmanager
def rendered(app):
    contexts = []

    def record(sender, template, context, **extra):
        contexts.append((template.name, set(context)))

    template_rendered.connect(record, app)
    try:
        yield contexts
    finally:
        template_rendered.disconnect(record, app)


def test_dashboard_pages_get_none_of_the_admins_context(app, client):
    credentials.create_dashboard_user("dev@example.com", "correct horse battery")
    data = {"email": "dev@example.com", "password": "correct horse battery"}
    assert client.post("/dashboard/login", data=data).status_code == 302
    with rendered(app) as contexts:
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/dashboard/no-such-page").status_code == 404
    assert [name for name, _ in contexts] == ["dashboard/home.html", "dashboard/error.html"]
    assert all(not ADMIN_ONLY & names for _, names in contexts)


def test_admin_pages_and_their_error_pages_get_what_they_need(app, signed_in):
    with rendered(app) as contexts:
        assert signed_in.get("/admin/domains").status_code == 200
        assert signed_in.get("/admin/sso").status_code == 404  # a section the link lacks
        assert signed_in.get("/admin/no-such-page").status_code == 404
    (page, page_context), (denied, denied_context), (unknown, _) = contexts
    assert page == "admin/domains.html"
    assert {"brand", "nav_sections", "return_url", "dns_host_steps"} <= page_context
    # An admin page's error has the admin's context; an unknown path belongs to no blueprint,
    # and templates/errors/ needs none of it.
    assert denied == unknown == "errors/error.html" and "brand" in denied_context
