"""Business logic. Services take the tenant explicitly and never touch the Flask request."""
