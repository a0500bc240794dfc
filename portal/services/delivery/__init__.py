"""Events and getting them out: the outbox (`events`, written in the transaction of the change),
webhook endpoints and their signed deliveries, the retry schedule and the claim shared with
log-stream deliveries, and the delivery log the dashboard shows.

May import: infra.
"""
