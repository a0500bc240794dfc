"""Filters answered by the database give exactly the users and groups the filter matches.

The reference answer is the filter evaluated on each resource in Python
(`scim_filters.matches`); every filter is asked through the SCIM endpoint and must agree
with it, whether portal translates it to SQL or not.
"""

import pytest

from portal.extensions import db
from portal.models import DirectoryGroup, DirectoryUser
from portal.services.directory import directory_groups, directory_users, scim_filter_sql
from portal.services.directory.scim_filters import matches, parse_filter
from tests.scim.scim_client import GROUP_SCHEMA, user_body

USER_NAMES = [
    "Ann@Acme.test",
    "bob@acme.test",
    "BOB.smith@Example.test",
    "carl_o@acme.test",
    "carlXo@acme.test",
    "percent%sign@acme.test",
    "back\\slash@acme.test",
    "Émile@Acme.test",
    "zoë@acme.test",
]
GROUP_NAMES = ["Engineering", "engineering-EU", "Sales_Team", "Sales Team 100%", "Ünits"]

# (filter, whether the database decides it alone)
USER_FILTERS = [
    ('userName eq "ann@acme.test"', True),
    ('USERNAME EQ "ANN@ACME.TEST"', True),
    ('userName eq "ÉMILE@acme.test"', True),
    ('userName ne "bob@acme.test"', True),
    ('userName sw "BOB"', True),
    ('userName ew "@ACME.test"', True),
    ('userName co "o@a"', True),
    ('userName co "_o@"', True),  # `_` is a character here, not a LIKE wildcard
    ('userName co "%"', True),
    ('userName co "\\\\"', True),  # a backslash
    ('userName co ""', True),
    ("userName pr", True),
    ('not (userName sw "b")', True),
    ('userName sw "b" or userName sw "z"', True),
    ('userName sw "b" and not (userName co "smith")', True),
    ('(userName sw "c" or userName sw "p") and userName ew ".test"', True),
    ("id pr", True),
    # Not translated (or only narrowed by SQL): still answered exactly.
    ("userName eq true", False),
    ("userName eq 1", False),
    ('userName gt "c"', False),
    ('userName le "bob@acme.test"', False),
    ('name.givenName sw "an"', False),
    ('emails[type eq "work" and value co "acme"]', False),
    ('emails.value ew "example.test"', False),
    ("active eq false", False),
    ('userName sw "b" and active eq false', False),
    ('userName sw "b" or active eq false', False),
    ('not (active eq true) or userName eq "zoë@acme.test"', False),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@acme.test"', False),
    ("title pr", False),
]
GROUP_FILTERS = [
    ('displayName eq "ENGINEERING"', True),
    ('displayName sw "engineering"', True),
    ('displayName ew "team"', True),
    ('displayName co "_"', True),
    ('displayName co "100%"', True),
    ('displayName eq "ünits"', True),
    ('displayName ne "sales_team"', True),
    ('not (displayName co "eng") and displayName pr', True),
    ('displayName gt "s"', False),
    ('externalId eq "ext-1" or displayName eq "Ünits"', False),
]


@pytest.fixture
def people(scim):
    ids = []
    for index, user_name in enumerate(USER_NAMES):
        body = user_body(user_name, given="Ann" if index % 2 else "Bo", active=index % 3 != 0)
        if index == 2:
            body["emails"].append({"value": "bob@example.test", "type": "home"})
        response = scim.post("/Users", body)
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.json["id"])
    return ids


@pytest.fixture
def teams(scim):
    ids = []
    for index, name in enumerate(GROUP_NAMES):
        body = {"schemas": [GROUP_SCHEMA], "displayName": name, "externalId": f"ext-{index}"}
        response = scim.post("/Groups", body)
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.json["id"])
    return ids


def _expected(model, text: str) -> list[str]:
    tree = parse_filter(text)
    rows = db.session.scalars(db.select(model).order_by(model.id))
    return [row.id for row in rows if matches(tree, {**row.raw_attributes, "id": row.id})]


def _listed(scim, resource: str, text: str, **params) -> tuple[list[str], int]:
    response = scim.get(f"/{resource}", query_string={"filter": text, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["id"] for r in response.json["Resources"]], response.json["totalResults"]


CASES = [("Users", text, exact) for text, exact in USER_FILTERS] + [
    ("Groups", text, exact) for text, exact in GROUP_FILTERS
]
KINDS = {
    "Users": (DirectoryUser, directory_users.SQL_COLUMNS),
    "Groups": (DirectoryGroup, directory_groups.SQL_COLUMNS),
}


@pytest.mark.parametrize(("resource", "text", "exact"), CASES)
def test_filters_match_what_the_filter_says(scim, people, teams, resource, text, exact):
    model, columns = KINDS[resource]
    assert scim_filter_sql.translate(parse_filter(text), columns).exact is exact
    expected = _expected(model, text)
    assert _listed(scim, resource, text) == (expected, len(expected))


def test_ids_compare_whatever_their_case_inside_a_larger_filter(scim, people):
    target = people[3]
    for spelling in (target, target.lower(), target.upper()):
        text = f'id eq "{spelling}" and userName pr'
        assert _listed(scim, "Users", text) == ([target], 1)
        others, total = _listed(scim, "Users", f'not (id eq "{spelling}")')
        assert target not in others and total == len(people) - 1
    assert _listed(scim, "Users", 'id eq "directory_user_\u017f" or userName eq "x"') == ([], 0)


@pytest.mark.parametrize("text", ['userName ew ".test"', 'emails.value co "acme"'])
def test_pages_of_a_filtered_list_add_up_to_the_whole(scim, people, text):
    expected = _expected(DirectoryUser, text)
    seen = []
    for start in range(1, len(expected) + 2, 2):
        page, total = _listed(scim, "Users", text, startIndex=start, count=2)
        assert total == len(expected)
        seen += page
    assert seen == expected
    assert _listed(scim, "Users", text, startIndex=1, count=0) == ([], len(expected))
    assert _listed(scim, "Users", text, startIndex=50, count=5) == ([], len(expected))


def test_unfiltered_pages_count_the_whole_directory(scim, people):
    everyone = _expected(DirectoryUser, "id pr")
    assert _listed(scim, "Users", "id pr", startIndex=4, count=3) == (everyone[3:6], len(people))
    response = scim.get("/Users", query_string={"startIndex": 8, "count": 5})
    assert [r["id"] for r in response.json["Resources"]] == everyone[7:]
    assert response.json["totalResults"] == len(people)
