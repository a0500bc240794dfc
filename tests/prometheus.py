"""Reading `/metrics` as Prometheus would: each sample by name and labels."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, token: str = TOKEN) -> dict[tuple[str, frozenset], float]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.data
    return samples(answer.get_data(as_text=True))


def value(scraped: dict, name: str, **labels) -> float:
    """A sample's value; a counter or labelled gauge never seen yet is 0."""
    return scraped.get((name, frozenset(labels.items())), 0.0)
