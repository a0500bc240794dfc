"""The directory's users page at any size: its page links walk every user once, in username
order, both ways; its search finds exactly what reading every user would; and the database
reads a page's worth of rows for a page, not the directory, on a table it has no statistics
for yet as on an analyzed one."""

import json
import re
from functools import partial
from html import unescape

import pytest
from sqlalchemy import insert, select, text

from portal.extensions import db
from portal.models import DirectoryUser
from portal.services.directory.directory_overview import PER_PAGE, Position, search_users
from tests.factories import make_directory
from tests.statements import statements_of

NAMES = ["Ann Lee", "bob smith", "Zoë Ångström", "Dan 100%", "eve_o", "Fay\\Back", None]


def add_users(directory, how_many: int, start: int = 0) -> None:
    """`how_many` users written in one statement, as a bulk import would (no SCIM round trip)."""
    rows = [
        {
            "id": f"directory_user_{number:026d}",
            "directory_id": directory.id,
            "organization_id": directory.organization_id,
            "user_name": f"User{number:05d}@Acme.test",
            "user_name_key": f"user{number:05d}@acme.test",
            "email": None if number % 5 == 0 else f"person.{number}@mail.acme.test",
            "display_name": NAMES[number % len(NAMES)],
            "active": number % 9 != 0,
            "raw_attributes": {},
        }
        for number in range(start, start + how_many)
    ]
    db.session.execute(insert(DirectoryUser), rows)
    db.session.commit()


@pytest.fixture
def directory(org):
    """org's directory, linked (the IdP has called): the portal shows its users."""
    directory, _ = make_directory(org)
    directory.state = "linked"
    db.session.commit()
    return directory


def walk(directory, query: str = "") -> list[list[str]]:
    """Every page's usernames, following each page's next link from the first."""
    pages, position = [], Position()
    while True:
        listing = search_users(directory, query, position)
        pages.append([row.user.user_name_key for row in listing.rows])
        assert listing.page == len(pages)
        if not listing.has_next:
            return pages
        position = Position(listing.page + 1, after=listing.last_key)


def test_next_and_previous_pages_walk_every_user_once_in_order(directory):
    add_users(directory, 3 * PER_PAGE + 7)
    everyone = sorted(db.session.scalars(select(DirectoryUser.user_name_key)))
    forward = walk(directory)
    assert [key for page in forward for key in page] == everyone
    assert [len(page) for page in forward] == [PER_PAGE] * 3 + [7]
    backward, position = [], Position(len(forward), after=forward[-2][-1])
    while True:
        listing = search_users(directory, "", position)
        backward.append([row.user.user_name_key for row in listing.rows])
        if listing.page == 1:
            break
        position = Position(listing.page - 1, before=listing.first_key)
    assert backward == forward[::-1]


def test_a_page_asked_for_by_number_is_the_page_the_links_reach(directory):
    add_users(directory, 2 * PER_PAGE + 3)
    forward = walk(directory)
    for number, page in enumerate(forward, start=1):
        listing = search_users(directory, "", Position(number))
        assert [row.user.user_name_key for row in listing.rows] == page
    beyond = search_users(directory, "", Position(99))
    assert (beyond.page, [r.user.user_name_key for r in beyond.rows]) == (3, forward[-1])


@pytest.mark.parametrize(
    "query", ["ACME", "smith", "zoë", "ngström", "100%", "%", "_", "e_o", "\\", "ann lee", "5@"]
)
def test_search_finds_what_reading_every_user_finds(directory, query):
    add_users(directory, 70)
    expected = sorted(
        user.user_name_key
        for user in db.session.scalars(select(DirectoryUser))
        if any(
            query.lower() in (value or "").lower()
            for value in (user.display_name, user.user_name, user.email)
        )
    )
    found = walk(directory, query)
    assert [key for page in found for key in page] == expected
    assert search_users(directory, query).total == len(expected)


def test_a_search_never_matches_across_name_and_email(directory):
    add_users(directory, 10)  # display "Ann Lee", username user00000@..., ...
    assert search_users(directory, "lee\nuser00000").total == 0
    assert search_users(directory, "lee user00000").total == 0


def test_the_page_links_carry_where_the_next_and_previous_pages_start(directory, admin_client):
    add_users(directory, 3 * PER_PAGE)
    client = admin_client("dsync")
    first = client.get("/admin/directory-sync/users").get_data(as_text=True)
    second_link = unescape(re.search(r'<a href="([^"]+)"[^>]*>Next page', first).group(1))
    assert "after=user00024@acme.test" in second_link
    second = client.get(second_link).get_data(as_text=True)
    assert "User00025@Acme.test" in second and "User00024@Acme.test" not in second
    assert "page 2 of 3" in second
    third = client.get(
        unescape(re.search(r'<a href="([^"]+)"[^>]*>Next page', second).group(1))
    ).get_data(as_text=True)
    back = unescape(re.search(r'<a href="([^"]+)"[^>]*>Previous page', third).group(1))
    assert "before=user00050@acme.test" in back
    again = client.get(back).get_data(as_text=True)
    assert "page 2 of 3" in again and "User00049@Acme.test" in again


def test_a_cursor_that_is_not_a_username_is_only_a_place_in_the_order(directory, admin_client):
    add_users(directory, PER_PAGE + 1)
    client = admin_client("dsync")
    for query in ("after=%ff%fe", "before=" + "z" * 600, "after=&before=", "page=-3&after=a"):
        assert client.get(f"/admin/directory-sync/users?{query}").status_code == 200


# What PostgreSQL may know of the table when a page is asked for: nothing (right after a bulk
# import), its size but no column statistics (a vacuum ran, no analyze yet), or all of it.
FORGET_STATISTICS = [
    "DELETE FROM pg_statistic WHERE starelid = 'directory_users'::regclass",
    "UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 "
    "WHERE oid = 'directory_users'::regclass "
    "OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'directory_users'::regclass)",
]
PLANNER_KNOWS = {
    "nothing": FORGET_STATISTICS,
    "the size": [
        FORGET_STATISTICS[0],
        "UPDATE pg_class SET reltuples = (SELECT count(*) FROM directory_users), "
        "relpages = pg_relation_size('directory_users') / 8192 "
        "WHERE oid = 'directory_users'::regclass",
    ],
    "everything": ["ANALYZE directory_users"],
}


def rows_read(statement: str, parameters) -> int:
    """The most rows any step of the statement's plan produced, as PostgreSQL ran it."""
    cursor = db.session.connection().connection.cursor()
    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def most(node) -> int:
        own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
        return max([own] + [most(child) for child in node.get("Plans", [])])

    return most(plan[0]["Plan"])


@pytest.mark.parametrize("known", list(PLANNER_KNOWS))
def test_a_page_reads_a_page_of_rows_not_the_directory(directory, admin_client, known):
    if db.engine.dialect.name != "postgresql":
        # SQLite plans by its indexes alone: the page walks the username index.
        plan = db.session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT min(user_name_key) FROM directory_users "
                "WHERE directory_id = :directory AND user_name_key > 'user02000'"
            ),
            {"directory": directory.id},
        ).all()
        assert "COVERING INDEX" in str(plan) and "user_name_key>?" in str(plan), plan
        return
    add_users(directory, 4000)
    for statement in PLANNER_KNOWS[known]:
        db.session.execute(text(statement))
    db.session.commit()
    client = admin_client("dsync")
    for path in (
        "/admin/directory-sync/users",
        "/admin/directory-sync/users?page=41&after=user02000%40acme.test",
        "/admin/directory-sync/users?page=41&before=user02000%40acme.test",
        "/admin/directory-sync/users?q=user03999%40",  # one user, found by the trigram index
        "/admin/directory-sync",
    ):
        client.get(path)  # the process has its settings at hand, as a server has
        for statement, parameters in statements_of(partial(client.get, path)):
            if "directory_users" in statement:
                assert rows_read(statement, parameters) <= 2 * PER_PAGE, (path, statement)
