"""The SCIM filter parser and PATCH engine on plain resources (no database)."""

import pytest

from portal.errors import FilterError, PatchError
from portal.services.directory.scim_filters import matches, parse_filter
from portal.services.directory.scim_patch import Operation, apply, read_operations

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER = {
    "userName": "Ann@Acme.test",
    "active": True,
    "name": {"givenName": "Ann"},
    "emails": [{"value": "ann@acme.test", "type": "work"}, {"value": "a@home.test"}],
    ENTERPRISE: {"department": "Eng"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "ann@acme.test"', True),
        ('USERNAME Eq "ANN@ACME.TEST"', True),
        ('userName ne "ann@acme.test"', False),
        ('name.givenName sw "an"', True),
        ('emails[type eq "work" and value co "acme"]', True),
        ('emails.value eq "a@home.test"', True),
        ("active eq true", True),
        ("active eq false", False),
        ("title pr", False),
        (f'{ENTERPRISE}:department eq "eng"', True),
        ('not (userName ew ".test") or name.givenName eq "Ann"', True),
        ('(userName co "x") and active eq true', False),
    ],
)
def test_filters(text, expected):
    assert matches(parse_filter(text), USER) is expected


@pytest.mark.parametrize(
    "text", ["", "userName", 'userName eq "a" and', "userName eq bare", "(a eq 1", 'a xx "b"']
)
def test_malformed_filters_are_refused(text):
    with pytest.raises(FilterError):
        parse_filter(text)


def _patched(*operations) -> dict:
    import copy

    resource = copy.deepcopy(USER)
    for op in read_operations({"Operations": list(operations)}):
        apply(resource, op)
    return resource


def test_replace_with_and_without_path():
    assert _patched({"op": "Replace", "path": "name.givenName", "value": "Bo"})["name"] == {
        "givenName": "Bo"
    }
    assert _patched({"op": "replace", "value": {"name.familyName": "Lee"}})["name"] == {
        "givenName": "Ann",
        "familyName": "Lee",
    }
    assert _patched({"op": "replace", "value": {"ACTIVE": False}})["active"] is False


def test_value_filtered_paths():
    work = _patched({"op": "replace", "path": 'emails[type eq "work"].value', "value": "n@a.t"})
    assert work["emails"][0] == {"value": "n@a.t", "type": "work"}
    created = _patched(
        {"op": "replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "1"}
    )
    assert created["phoneNumbers"] == [{"type": "mobile", "value": "1"}]
    removed = _patched({"op": "remove", "path": 'emails[value eq "a@home.test"]'})
    assert [e["value"] for e in removed["emails"]] == ["ann@acme.test"]


def test_add_appends_to_multi_valued_and_extension_paths():
    added = _patched({"op": "add", "path": "emails", "value": [{"value": "b@x.test"}]})
    assert len(added["emails"]) == 3
    department = _patched({"op": "add", "path": f"{ENTERPRISE}:department", "value": "Ops"})
    assert department[ENTERPRISE] == {"department": "Ops"}
    gone = _patched({"op": "remove", "path": ENTERPRISE})
    assert ENTERPRISE not in gone


@pytest.mark.parametrize(
    "operations",
    [
        [],
        [{"op": "move", "path": "a", "value": 1}],
        [{"op": "add", "path": "a"}],
        [{"op": "remove"}],
        ["not an object"],
    ],
)
def test_malformed_operations_are_refused(operations):
    with pytest.raises(PatchError):
        for op in read_operations({"Operations": operations}):
            apply({}, op)


def test_a_filter_without_a_match_and_no_equality_is_no_target():
    with pytest.raises(PatchError):
        apply({}, Operation("replace", 'emails[value co "x"].type', "work"))
