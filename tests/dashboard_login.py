"""The developer's dashboard account that tests sign in with, and the sign-in form they post."""

EMAIL = "dev@example.com"
PASSWORD = "correct horse battery"


def sign_in(client, email: str = EMAIL, password: str = PASSWORD, **fields):
    """Post the dashboard's sign-in form as a browser does; returns the response."""
    return client.post("/dashboard/login", data={"email": email, "password": password, **fields})
