from datetime import UTC, datetime

from portal.services.infra.ids import CROCKFORD, ULID_LENGTH, lowest_id_at, new_id, time_of, ulid


def test_ids_carry_their_type_prefix_and_a_ulid():
    prefix, _, tail = new_id("org").rpartition("_")
    assert prefix == "org"
    assert len(tail) == ULID_LENGTH
    assert set(tail) <= set(CROCKFORD)


def test_ids_sort_by_creation_time():
    earlier = [ulid(1_700_000_000_000 + i) for i in range(50)]
    assert sorted(earlier) == earlier


def test_ids_are_unique_within_one_millisecond():
    assert len({ulid(1_700_000_000_000) for _ in range(1000)}) == 1000


def test_lowest_id_at_bounds_every_id_made_from_that_millisecond_on():
    floor = lowest_id_at("event", 1_700_000_000_000)
    assert f"event_{ulid(1_700_000_000_000)}" >= floor
    assert f"event_{ulid(1_699_999_999_999)}" < floor


def test_ids_made_in_one_millisecond_keep_their_order():
    made = [ulid(1_700_000_000_123) for _ in range(500)]
    assert made == sorted(made)


def test_time_of_reads_the_millisecond_an_id_was_made():
    made = time_of(f"event_{ulid(1_700_000_000_123)}")
    assert made == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert time_of(lowest_id_at("event", 1_700_000_000_123)) == made
