"""Oversized SCIM input gets a SCIM 400 (or an empty page), never a 500."""

import pytest

from tests.scim.scim_client import ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, user_body

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
DEEP_FILTER = "(" * 400 + 'userName eq "a"' + ")" * 400
WIDE_FILTER = " or ".join(f'userName eq "u{i}"' for i in range(1000))


def _assert_scim_400(response, scim_type: str, words: str):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert ERROR_SCHEMA in response.json["schemas"]
    assert response.json["scimType"] == scim_type
    assert words in response.json["detail"]


@pytest.mark.parametrize("text", [DEEP_FILTER, WIDE_FILTER, "not (" * 400 + "a pr" + ")" * 400])
def test_oversized_filters_are_refused_as_invalid_filter(scim, text):
    _assert_scim_400(scim.get("/Users", query_string={"filter": text}), "invalidFilter", "at most")
    _assert_scim_400(scim.post("/Users/.search", {"filter": text}), "invalidFilter", "at most")
    _assert_scim_400(scim.post("/Groups/.search", {"filter": text}), "invalidFilter", "at most")


def test_a_filter_within_the_limits_still_works(scim):
    scim.post("/Users", user_body("u7@acme.test"))
    text = " or ".join(f'userName eq "u{i}@acme.test"' for i in range(20))
    listing = scim.get("/Users", query_string={"filter": f"(({text}))"})
    assert listing.status_code == 200
    assert [r["userName"] for r in listing.json["Resources"]] == ["u7@acme.test"]


def test_oversized_filter_in_a_patch_path_is_refused_and_nothing_changes(scim):
    group = scim.post("/Groups", {"displayName": "Eng"}).json["id"]
    response = scim.open(
        "PATCH",
        f"/Groups/{group}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": f"members[{DEEP_FILTER}]"}],
        },
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["scimType"] in ("invalidFilter", "invalidPath")
    assert "at most" in response.json["detail"]
    assert scim.get(f"/Groups/{group}").json["displayName"] == "Eng"


@pytest.mark.parametrize("start", ["99999999999999999999999", str(2**63), str(2**63 - 1)])
def test_a_start_index_past_any_directory_gives_an_empty_page(scim, start):
    scim.post("/Users", user_body("ann@acme.test"))
    for response in (
        scim.get("/Users", query_string={"startIndex": start}),
        scim.get("/Users", query_string={"startIndex": start, "filter": 'userName sw "ann"'}),
        scim.get("/Groups", query_string={"startIndex": start}),
        scim.post("/Users/.search", {"startIndex": int(start), "count": 10}),
        scim.post("/.search", {"startIndex": int(start)}),
    ):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["Resources"] == []
        assert response.json["startIndex"] == int(start)
    assert scim.get("/Users", query_string={"startIndex": start}).json["totalResults"] == 1


@pytest.mark.parametrize("count", ["99999999999999999999999", "-99999999999999999999999"])
def test_any_whole_count_gives_a_page(scim, count):
    scim.post("/Users", user_body("ann@acme.test"))
    response = scim.get("/Users", query_string={"count": count, "startIndex": "-5"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["totalResults"] == 1
    assert response.json["startIndex"] == 1


@pytest.mark.parametrize("value", ["ten", "1.5", "1e3", "9" * 5000])
def test_a_start_index_or_count_that_is_not_a_whole_number_is_invalid_value(scim, value):
    for name in ("startIndex", "count"):
        _assert_scim_400(
            scim.get("/Users", query_string={name: value}), "invalidValue", "whole number"
        )
    _assert_scim_400(scim.post("/Users/.search", {"count": value}), "invalidValue", "whole number")
    _assert_scim_400(scim.post("/.search", {"startIndex": value}), "invalidValue", "whole number")


MADE_UP = "urn:example:made-up:2.0:User"


def _user_unchanged(scim, user_id: str, before: dict):
    after = scim.get(f"/Users/{user_id}").json
    assert {k: v for k, v in after.items() if k != "meta"} == {
        k: v for k, v in before.items() if k != "meta"
    }


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"schemas": [USER_SCHEMA, MADE_UP]}, MADE_UP),
        ({MADE_UP: {"badge": "7"}}, MADE_UP),
        ({"x" * 10_000: "v"}, "not an attribute name"),
        ({"nick name": "v"}, "not an attribute name"),
        ({"title": "t" * 20_000}, "at most 16384 characters"),
        ({"emails": [{"value": f"a{i}@acme.test"} for i in range(1001)]}, "at most 1000"),
        ({"name": {"a": {"b": {"c": {"d": "deep"}}}}}, "nest at most"),
    ],
)
def test_post_and_put_refuse_made_up_schemas_and_oversized_attributes(scim, extra, words):
    response = scim.post("/Users", user_body("bob@acme.test", **extra))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert words in response.json["detail"]
    assert scim.get("/Users").json["totalResults"] == 0
    user = scim.post("/Users", user_body("ann@acme.test")).json
    response = scim.put(f"/Users/{user['id']}", user_body("ann@acme.test", **extra))
    assert response.status_code == 400
    assert ERROR_SCHEMA in response.json["schemas"]
    _user_unchanged(scim, user["id"], user)


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "add", "path": f"{MADE_UP}:badge", "value": "7"}, "invalidSyntax"),
        ({"op": "add", "value": {f"{MADE_UP}:badge": "7"}}, "invalidSyntax"),
        ({"op": "add", "path": "x" * 10_000, "value": "v"}, "invalidPath"),
        ({"op": "add", "value": {"x" * 10_000: "v"}}, "invalidPath"),
        ({"op": "replace", "path": "title", "value": "t" * 20_000}, "invalidValue"),
        ({"op": "add", "path": "name", "value": {"y" * 200: "v"}}, "invalidSyntax"),
    ],
)
def test_patch_refuses_made_up_schemas_and_oversized_attributes(scim, operation, scim_type):
    user = scim.post("/Users", user_body("ann@acme.test")).json
    response = scim.patch(f"/Users/{user['id']}", [operation])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["scimType"] == scim_type
    _user_unchanged(scim, user["id"], user)


def test_a_patch_must_name_the_patch_op_schema_only(scim):
    group = scim.post("/Groups", {"displayName": "Eng"}).json["id"]
    body = {
        "schemas": [PATCH_OP, MADE_UP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Ops"}],
    }
    response = scim.open("PATCH", f"/Groups/{group}", body)
    assert response.status_code == 400
    assert PATCH_OP in response.json["detail"]
    assert scim.get(f"/Groups/{group}").json["displayName"] == "Eng"


def test_groups_refuse_user_schemas(scim):
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA, ENTERPRISE], "displayName": "E"})
    assert response.status_code == 400
    assert ENTERPRISE in response.json["detail"]


def test_an_extension_the_attribute_map_reads_is_accepted(app, scim, directory):
    from portal.services.directory import directory_attribute_maps

    custom = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
    directory_attribute_maps.update(directory[0], [("badge", f"{custom}:badge")])
    created = scim.post("/Users", user_body("ann@acme.test", **{custom: {"badge": "7"}}))
    assert created.status_code == 201, created.get_data(as_text=True)
    patched = scim.patch(
        f"/Users/{created.json['id']}", [{"op": "replace", "path": f"{custom}:badge", "value": "8"}]
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert patched.json[custom] == {"badge": "8"}
    entra_style = scim.patch(
        f"/Users/{created.json['id']}",
        [{"op": "Replace", "value": {f"{ENTERPRISE}:manager": {"value": "m1"}}}],
    )
    assert entra_style.status_code == 200, entra_style.get_data(as_text=True)


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(scim):
    response = scim.post("/Users", user_body("ann@acme.test", title="t" * (1024 * 1024)))
    assert response.status_code == 413
    assert ERROR_SCHEMA in response.json["schemas"], response.get_data(as_text=True)
    assert scim.get("/Users").json["totalResults"] == 0
