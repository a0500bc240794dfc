import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, Organization
from tests.api.document import body_is_valid, query_is_valid
from tests.factories import make_organization

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_returns_the_workos_shape(api):
    response = api.post(
        "/organizations",
        json={
            "name": "Acme",
            "domain_data": [{"domain": "Acme.COM", "state": "pending"}],
            "external_id": "acme-1",
            "metadata": {"tier": "gold"},
        },
    )
    assert response.status_code == 201
    org = response.get_json()
    assert org["object"] == "organization"
    assert org["id"].startswith("org_")
    assert org["metadata"] == {"tier": "gold"}
    assert org["external_id"] == "acme-1"
    assert org["allow_profiles_outside_organization"] is False
    assert TIMESTAMP.match(org["created_at"]) and TIMESTAMP.match(org["updated_at"])
    [domain] = org["domains"]
    assert domain["domain"] == "acme.com"
    assert domain["organization_id"] == org["id"]
    assert domain["state"] == "pending"
    assert domain["verification_strategy"] == "dns"
    assert domain["verification_prefix"] and domain["verification_token"]


def test_create_writes_its_events_in_the_same_transaction(api):
    org = api.post(
        "/organizations",
        json={"name": "Acme", "domain_data": [{"domain": "acme.com", "state": "verified"}]},
    ).get_json()
    names = [e.event for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert names == [
        "organization.created",
        "organization_domain.created",
        "organization_domain.verified",
    ]
    created = db.session.scalars(select(Event).order_by(Event.id)).first()
    assert created.organization_id == org["id"]
    assert created.data["id"] == org["id"]
    assert "allow_profiles_outside_organization" not in created.data


def test_a_refused_change_writes_no_event_and_no_row(api):
    make_organization("Taken", external_id="dup")
    before = db.session.scalar(select(db.func.count(Event.id)))
    response = api.post("/organizations", json={"name": "Again", "external_id": "dup"})
    assert response.status_code == 409
    assert response.get_json()["code"] == "external_id_already_exists"
    assert db.session.scalar(select(db.func.count(Event.id))) == before
    assert db.session.scalar(select(db.func.count(Organization.id))) == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "name", "missing"),
        ({"name": ""}, "name", "string_too_short"),
        ({"name": 42}, "name", "string_type"),
        ({"name": "A", "nickname": "x"}, "nickname", "extra_forbidden"),
        ({"name": "A", "metadata": {"k": 1}}, "metadata.k", "string_type"),
        ({"name": "A", "metadata": "tier=gold"}, "metadata", "dict_type"),
        (
            {"name": "A", "allow_profiles_outside_organization": "yes"},
            "allow_profiles_outside_organization",
            "bool_type",
        ),
        (
            {"name": "A", "domain_data": [{"domain": "a.com", "state": "done"}]},
            "domain_data.0.state",
            "literal_error",
        ),
        (
            {"name": "A", "domain_data": [{"domain": "not a domain"}]},
            "domain_data.0.domain",
            "invalid",
        ),
        (
            {"name": "A", "domain_data": [{"domain": "https://a.com/x"}]},
            "domain_data.0.domain",
            "invalid",
        ),
        (
            {"name": "A", "domain_data": [{"domain": "a.com"}, {"domain": "A.com"}]},
            "domain_data.1.domain",
            "invalid",
        ),
        ({"name": "A", "external_id": "x" * 65}, "external_id", "string_too_long"),
        ({"name": "A", "metadata": {f"k{i}": "v" for i in range(11)}}, "metadata", "invalid"),
        ({"name": "A", "metadata": {"k" * 41: "v"}}, "metadata." + "k" * 41, "invalid"),
        ({"name": "A", "metadata": {"k": "v" * 601}}, "metadata.k", "invalid"),
        ({"name": "A", "metadata": {"k": "ünïcode"}}, "metadata.k", "invalid"),
    ],
)
def test_bad_input_gets_422_naming_the_field(api, body, field, code):
    response = api.post("/organizations", json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert error["code"] == "invalid_request_parameters"
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in error["errors"]
    ]
    assert all(e["message"] for e in error["errors"])
    assert db.session.scalar(select(db.func.count(Organization.id))) == 0


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b'{"name": "Acme"', "application/json", "invalid_request_body"),
        (b'["Acme"]', "application/json", "invalid_request_body"),
        (b"name=Acme", "application/x-www-form-urlencoded", "invalid_content_type"),
        (b"\xff\xfe", "application/json", "invalid_request_body"),
    ],
)
def test_unreadable_bodies_get_400_with_a_reason(api, data, content_type, code):
    response = api.post("/organizations", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["code"] == code


def test_a_huge_body_is_refused_before_it_is_read(api):
    response = api.post("/organizations", json={"name": "A", "metadata": {"k": "v" * 2_000_000}})
    assert response.status_code == 413
    assert response.get_json()["code"] == "request_too_large"


def test_update_changes_only_what_is_sent_and_null_clears(api):
    org = make_organization("Acme", external_id="a1", metadata={"tier": "gold"})
    response = api.put(f"/organizations/{org.id}", json={"name": "Acme Inc"})
    body = response.get_json()
    assert (body["name"], body["external_id"], body["metadata"]) == (
        "Acme Inc",
        "a1",
        {"tier": "gold"},
    )
    body = api.put(
        f"/organizations/{org.id}", json={"metadata": None, "external_id": None}
    ).get_json()
    assert body["metadata"] == {} and body["external_id"] is None
    events = [e.event for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert events.count("organization.updated") == 2


def test_update_without_changes_emits_nothing(api):
    org = make_organization("Acme")
    api.put(f"/organizations/{org.id}", json={"name": "Acme"})
    assert "organization.updated" not in db.session.scalars(select(Event.event)).all()


def test_update_domain_data_replaces_the_domain_set(api):
    org = make_organization("Acme", domains=["a.com", "b.com"])
    body = api.put(
        f"/organizations/{org.id}",
        json={"domain_data": [{"domain": "b.com", "state": "verified"}, {"domain": "c.com"}]},
    ).get_json()
    assert {(d["domain"], d["state"]) for d in body["domains"]} == {
        ("b.com", "verified"),
        ("c.com", "pending"),
    }
    events = db.session.scalars(select(Event.event).order_by(Event.id)).all()
    assert events[-4:] == [
        "organization_domain.deleted",
        "organization_domain.verified",
        "organization_domain.created",
        "organization.updated",
    ]


def test_a_domain_verified_elsewhere_cannot_be_claimed(api):
    make_organization("First", domains=[("acme.com", "verified")])
    response = api.post(
        "/organizations", json={"name": "Second", "domain_data": [{"domain": "acme.com"}]}
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "domain_already_exists"


def test_get_update_delete_unknown_ids_are_404(api):
    for call in (api.get, api.delete):
        response = call("/organizations/org_01M00000000000000000000000")
        assert response.status_code == 404
        assert response.get_json()["code"] == "entity_not_found"
    response = api.put("/organizations/org_nope", json={"name": "x"})
    assert response.status_code == 404


def test_delete_removes_the_organization_and_emits_deleted(api):
    org = make_organization("Acme", domains=["acme.com"])
    assert api.delete(f"/organizations/{org.id}").status_code == 204
    assert api.get(f"/organizations/{org.id}").status_code == 404
    deleted = db.session.scalars(select(Event).where(Event.event == "organization.deleted")).one()
    assert deleted.data["id"] == org.id
    assert deleted.data["domains"][0]["domain"] == "acme.com"


def test_list_filters_by_domain_and_search(api):
    acme = make_organization("Acme Corp", domains=["acme.com"])
    make_organization("Globex", domains=["globex.com"])
    make_organization("100% Real_Co")
    by_domain = api.get("/organizations?domains=ACME.com,nope.com").get_json()
    assert [o["id"] for o in by_domain["data"]] == [acme.id]
    by_bracket = api.get("/organizations?domains[]=acme.com").get_json()
    assert [o["id"] for o in by_bracket["data"]] == [acme.id]
    assert [o["name"] for o in api.get("/organizations?search=acme").get_json()["data"]] == [
        "Acme Corp"
    ]
    assert [o["name"] for o in api.get("/organizations?search=%25").get_json()["data"]] == [
        "100% Real_Co"
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("order=sideways", "order"),
        ("domains=not_a_domain", "domains"),
    ],
)
def test_bad_list_parameters_get_422(api, query, field):
    response = api.get(f"/organizations?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


def test_list_pages_with_cursors_in_both_directions(api):
    ids = [make_organization(f"Org {i}").id for i in range(7)]
    newest_first = ids[::-1]
    first = api.get("/organizations?limit=3").get_json()
    assert [o["id"] for o in first["data"]] == newest_first[:3]
    assert first["list_metadata"] == {"before": None, "after": newest_first[2]}
    second = api.get(f"/organizations?limit=3&after={newest_first[2]}").get_json()
    assert [o["id"] for o in second["data"]] == newest_first[3:6]
    assert second["list_metadata"] == {"before": newest_first[3], "after": newest_first[5]}
    last = api.get(f"/organizations?limit=3&after={newest_first[5]}").get_json()
    assert [o["id"] for o in last["data"]] == newest_first[6:]
    assert last["list_metadata"]["after"] is None
    back = api.get(f"/organizations?limit=3&before={newest_first[3]}").get_json()
    assert [o["id"] for o in back["data"]] == newest_first[:3]
    assert back["list_metadata"]["before"] is None
    oldest_first = api.get("/organizations?limit=10&order=asc").get_json()
    assert [o["id"] for o in oldest_first["data"]] == ids


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"name": "a", "metadata": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
    ],
)
def test_deeply_nested_bodies_are_a_400_not_a_crash(api, body):
    response = api.post("/organizations", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] in ("invalid_request_body", "invalid_request_parameters")


# Where the OpenAPI document and the server disagreed (tests/api/test_fuzz.py found them).


@pytest.mark.parametrize(
    ("name", "value"), [("limit", ""), ("order", ""), ("domains", "bücher.example")]
)
def test_list_parameters_the_document_calls_invalid_are_refused(api, name, value):
    assert not query_is_valid("get", "/organizations", name, value)
    response = api.get("/organizations", query_string={name: value})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == name


@pytest.mark.parametrize("domain", ["bücher.example", " acme.example", "acme.123"])
def test_domains_outside_the_documented_form_are_refused(api, domain):
    body = {"name": "A", "domain_data": [{"domain": domain}]}
    assert not body_is_valid("post", "/organizations", body)
    response = api.post("/organizations", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "domain_data.0.domain"


def test_an_idn_in_its_xn_form_with_a_final_dot_is_accepted(api):
    body = {"name": "A", "domains": ["XN--bcher-kva.example."]}
    assert body_is_valid("post", "/organizations", body)
    response = api.post("/organizations", json=body)
    assert response.status_code == 201
    assert [d["domain"] for d in response.get_json()["domains"]] == ["xn--bcher-kva.example"]


def test_an_update_without_a_name_keeps_the_name(api, org):
    body = {"external_id": "acme-7"}
    assert body_is_valid("put", "/organizations/{organization_id}", body)
    response = api.put(f"/organizations/{org.id}", json=body)
    assert response.status_code == 200
    assert response.get_json()["name"] == "Acme Corp"
    assert response.get_json()["external_id"] == "acme-7"


@pytest.mark.parametrize(
    ("metadata", "status"),
    [
        ({"k" * 40: "v" * 600}, 201),
        ({f"k{i}": "v" for i in range(10)}, 201),
        ({f"k{i}": "v" for i in range(11)}, 422),
        ({"k" * 41: "v"}, 422),
        ({"clé": "v"}, 422),
        ({"k": "é"}, 422),
        ({"k": "v" * 601}, 422),
    ],
)
def test_metadata_limits_are_the_documented_ones(api, metadata, status):
    body = {"name": "A", "metadata": metadata}
    assert body_is_valid("post", "/organizations", body) == (status == 201)
    assert api.post("/organizations", json=body).status_code == status


@pytest.mark.parametrize("body", [{"name": None}, {"name": " \u3000\x1c"}, {"name": "x" * 256}])
def test_a_name_cannot_be_cleared_blank_or_long_as_the_document_says(api, org, body):
    assert not body_is_valid("put", "/organizations/{organization_id}", body)
    response = api.put(f"/organizations/{org.id}", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "name"
    assert not body_is_valid("post", "/organizations", body)
    assert api.post("/organizations", json=body).status_code == 422


def test_an_empty_external_id_is_refused_as_the_document_says(api):
    body = {"name": "A", "external_id": ""}
    assert not body_is_valid("post", "/organizations", body)
    response = api.post("/organizations", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "external_id"
