"""Background jobs, one module per domain. Jobs take ids, are idempotent, and run in an app
context (the RQ worker from `flask portal worker`, or the in-process worker thread)."""
