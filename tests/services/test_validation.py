import pytest

from portal.errors import InvalidInput
from portal.services.infra.validation import by_field, check_all, required


def _refuse(message: str, field: str | None = None):
    def check():
        raise InvalidInput(message, field=field)

    return check


def test_check_all_returns_what_each_check_returned():
    assert check_all(lambda: 1, required("x", "Enter x.", "x"), lambda: "c") == [1, None, "c"]


def test_check_all_names_every_field_at_fault_in_one_error():
    with pytest.raises(InvalidInput) as raised:
        check_all(
            required("", "Enter the name.", "name"),
            lambda: "fine",
            required(None, "Enter the URL.", "url"),
        )
    assert raised.value.message == "Nothing was saved: fix the 2 fields marked below."
    assert [e["field"] for e in raised.value.errors] == ["name", "url"]


def test_check_all_with_one_problem_keeps_its_own_message():
    with pytest.raises(InvalidInput) as raised:
        check_all(lambda: 1, _refuse("The certificate cannot be read.", "certificate"))
    assert raised.value.message == "The certificate cannot be read."
    assert raised.value.errors[0]["field"] == "certificate"


def test_by_field_keeps_the_first_message_of_each_field():
    error = InvalidInput(
        "two problems",
        errors=[
            {"field": "name", "message": "Enter a name."},
            {"field": "name", "message": "The name is too long."},
            {"field": "url", "message": "Enter a URL."},
        ],
    )
    assert by_field(error) == {"name": "Enter a name.", "url": "Enter a URL."}


def test_by_field_puts_a_problem_without_a_field_on_the_default_field():
    error = InvalidInput("bad", errors=[{"field": None, "message": "Something is off."}])
    assert by_field(error, "origins") == {"origins": "Something is off."}


def test_by_field_falls_back_to_the_message_when_no_field_is_named():
    assert by_field(InvalidInput("That cannot be used."), "app_name") == {
        "app_name": "That cannot be used."
    }


def test_by_field_without_a_default_leaves_out_what_names_no_field():
    error = InvalidInput(
        "mixed",
        errors=[{"field": None, "message": "general"}, {"field": "x", "message": "about x"}],
    )
    assert by_field(error, None) == {"x": "about x"}
    assert by_field(InvalidInput("no fields at all"), None) == {}
