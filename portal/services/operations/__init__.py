"""Running portal: what `portal doctor` checks about a deployment (configuration, database and
its schema, queue, workers, clocks, outbound DNS) and what it tells the operator to do; what
`/metrics` reports about the deployment as a whole (queue, deliveries, periodic runs).

May import: infra, organizations.
"""
