"""Directory sync jobs."""

from portal.services.directory import directory_groups


def announce_membership_changes(
    group_id: str, added: list[str], removed: list[str], first_event_id: str | None = None
) -> None:
    """Record the per-member events of one large membership change (safe to run twice)."""
    directory_groups.record_membership_events(group_id, added, removed, first_event_id)
