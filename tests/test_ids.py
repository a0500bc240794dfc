from portal.ids import has_prefix, new_id, ulid


def test_ids_carry_their_type_prefix_and_a_ulid():
    org_id = new_id("org")
    assert org_id.startswith("org_")
    assert has_prefix(org_id, "org")
    assert not has_prefix(org_id, "conn")
    assert not has_prefix("org_not-a-ulid", "org")


def test_ids_sort_by_creation_time():
    earlier = [ulid(1_700_000_000_000 + i) for i in range(50)]
    assert sorted(earlier) == earlier


def test_ids_are_unique_within_one_millisecond():
    assert len({ulid(1_700_000_000_000) for _ in range(1000)}) == 1000
