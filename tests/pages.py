"""Reading what a page shows, as a person looking at it would."""

import html
import re


def shown_to_copy(page, element_id: str) -> str:
    """What a person copies from the page: the text of the `<code id=element_id>` the portal
    shows a token, secret, link or URL in, beside its Copy button (a secret only this once).

    `page` is the HTML, a test client's response, or a Playwright page (read through its
    locator, which waits for the element as a person would).
    """
    if hasattr(page, "locator"):
        return page.locator(f"#{element_id}").inner_text()
    text = page if isinstance(page, str) else page.get_data(as_text=True)
    found = re.search(rf'<code id="{re.escape(element_id)}">([^<]+)</code>', text)
    assert found, f"the page shows nothing in #{element_id}"
    return html.unescape(found.group(1))


def csrf_token_of(page: str) -> str:
    """The CSRF token a form on the page carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
