import pytest
from flask import Flask

from portal.web.bearer import bearer_token


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer sk_test_1", "sk_test_1"),
        ("bearer sk_test_1", "sk_test_1"),
        ("BEARER  sk_test_1 ", "sk_test_1"),
        ("Bearer", None),
        ("Bearer    ", None),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearersk_test_1", None),
        ("", None),
        (None, None),
    ],
)
def test_a_bearer_token_is_read_one_way(header, token):
    headers = {} if header is None else {"Authorization": header}
    with Flask(__name__).test_request_context(headers=headers):
        assert bearer_token() == token
