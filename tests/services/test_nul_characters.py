import pytest

from portal.services.infra.nul_characters import field_holding_nul, readable_text


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("plain", None),
        ("a\x00b", ""),
        ({"name": "ok", "tags": ["x", "y\x00"]}, "tags.1"),
        ({"outer": {"in\x00ner": "ok"}}, "outer.in\x00ner"),
        ({"count": 3, "active": True, "none": None}, None),
        ([{"value": "ok"}, {"value": "\x00"}], "1.value"),
    ],
)
def test_where_a_json_value_holds_nul(value, field):
    assert field_holding_nul(value) == field


def test_a_bare_value_is_named_by_its_field():
    assert field_holding_nul("x\x00", "search") == "search"


def test_foreign_text_kept_for_people_shows_nul_as_the_replacement_character():
    assert readable_text(b"ok\x00 \xff done") == "ok\ufffd \ufffd done"
    assert readable_text("<Response>\x00</Response>") == "<Response>\ufffd</Response>"
