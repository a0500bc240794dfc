"""Plumbing that knows no domain: prefixed ULID ids, database engine settings, encryption of
secrets at rest, the job queue (RQ or in-process), outbound HTTP to addresses others chose,
cursor pagination, secret tokens and their digests, the WorkOS wire conventions (timestamps,
list envelopes), redirect-URL and domain-name rules, and the health check.

May import: portal.errors, portal.extensions, portal.models. No other service package.
"""
