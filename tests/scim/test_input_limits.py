"""Oversized SCIM input gets a SCIM 400 (or an empty page), never a 500."""

import pytest

from tests.scim.scim_client import PATCH_OP, user_body

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
