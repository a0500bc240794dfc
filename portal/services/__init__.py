"""Business logic, one package per domain. Views parse input, call a service and render;
services take the tenant explicitly, never read Flask's `request`, and never import `tasks`
(they enqueue jobs by dotted name).

Packages from the bottom up; each may import only the packages listed before it, as its own
docstring says (tests/test_architecture.py holds them to it):

- `infra`: plumbing that knows no domain: ids, database engine settings, encryption, the job
  queue, outbound HTTP, pagination, secret tokens, the WorkOS wire conventions, health.
- `account`: the developer's side of this deployment: client id and API keys, dashboard users
  and their sign-in, app-wide settings (branding, redirect URIs, embedding origins).
- `delivery`: the events outbox and getting events out: webhook endpoints, deliveries with
  retries, the claim that keeps two workers from sending one delivery.
- `organizations`: customers and the domains they claim and verify.
- `sso`: connections (SAML and OIDC), IdP certificates and metadata, sign-in and its history.
- `directory`: SCIM directories, users, groups, group sync, attribute maps, the SCIM protocol.
- `audit`: audit log events, their schemas, CSV exports and log streams.
- `onboarding`: bringing a customer's IT admin in: onboarding, setup and API links, portal
  sessions, setup progress and the mail that carries a link.
"""
