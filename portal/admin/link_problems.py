"""What to tell an IT admin whose link cannot be opened, and what to do next."""

from dataclasses import dataclass

from portal.models import PortalLink


@dataclass
class Explanation:
    status: int
    title: str
    what_happened: str
    what_to_do: str


def explain(reason: str, link: PortalLink | None, app_name: str) -> Explanation:
    setup = link is not None and link.kind == "setup"
    ask = (
        "Ask the person who invited you for a new invitation."
        if setup
        else f"Go back to {app_name} and open the setup page again to get a fresh link."
    )
    if reason == "garbled":
        return Explanation(
            400,
            "This link is incomplete",
            "The address is not a whole portal link; it may have been cut off when it was copied.",
            "Open the link again from the original message or page, copying all of it. "
            "If that does not help, ask for a new link.",
        )
    if reason == "expired":
        lifetime = "30 days" if setup else "5 minutes"
        return Explanation(
            410,
            "This invitation has expired" if setup else "This link has expired",
            f"For your security, {'invitations' if setup else 'links'} to this portal work for "
            f"{lifetime} after they are created.",
            ask,
        )
    if reason == "revoked":
        return Explanation(
            410, "This link was withdrawn", "The link was cancelled before it was used up.", ask
        )
    if reason == "used":
        return Explanation(
            410,
            "This link was already used",
            "Each link opens the portal in one browser only, and this one has been opened already.",
            "If you opened it yourself in another browser or window, continue there. "
            "Otherwise " + ask[0].lower() + ask[1:],
        )
    return Explanation(
        410,
        "This link is no longer valid",
        "It may have been replaced by a newer link, or the setup it belonged to was removed.",
        ask,
    )
