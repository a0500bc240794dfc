"""Reading what a page shows, as a person looking at it would."""

import re


def csrf_token_of(page: str) -> str:
    """The CSRF token a form on the page carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
