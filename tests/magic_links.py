"""Reading the magic links the portal hands out."""

from urllib.parse import parse_qs, urlsplit


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def launch_path(url: str) -> str:
    """The link as a test client opens it: the path and token, without the public host."""
    return f"/admin/launch?token={token_of(url)}"
