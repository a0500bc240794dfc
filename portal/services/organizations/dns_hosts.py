"""Where to add the verification TXT record at the common DNS hosts, step by step.

Placeholders: {prefix} (the record name without the domain), {name} (the full record name),
{domain}. The value is shown with its copy button beside the steps. Correct a host's steps
here when its console changes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DnsHost:
    slug: str
    name: str
    steps: tuple[str, ...]


DNS_HOSTS = (
    DnsHost(
        "cloudflare",
        "Cloudflare",
        (
            "Sign in to the Cloudflare dashboard and select the account and {domain}.",
            "Open DNS, then Records, and choose Add record.",
            "Type: TXT. Name: {prefix} (Cloudflare adds {domain} by itself).",
            "Content: paste the value above. Leave TTL on Auto and choose Save.",
        ),
    ),
    DnsHost(
        "route53",
        "Amazon Route 53",
        (
            "In the AWS console open Route 53, then Hosted zones, and select {domain}.",
            "Choose Create record.",
            "Record name: {prefix} (the console shows .{domain} after the field). "
            "Record type: TXT.",
            'Value: paste the value above inside double quotes ("..."), then choose '
            "Create records.",
        ),
    ),
    DnsHost(
        "godaddy",
        "GoDaddy",
        (
            "Sign in and open My Products; next to {domain} choose DNS.",
            "Choose Add New Record.",
            "Type: TXT. Name: {prefix}. Value: paste the value above.",
            "Keep the default TTL and choose Save.",
        ),
    ),
    DnsHost(
        "squarespace",
        "Squarespace (formerly Google Domains)",
        (
            "Open the Domains dashboard and select {domain}.",
            "Open DNS, then DNS Settings, and under Custom records choose Add record.",
            "Host: {prefix}. Type: TXT. Data: paste the value above.",
            "Choose Save.",
        ),
    ),
    DnsHost(
        "namecheap",
        "Namecheap",
        (
            "Open Domain List and choose Manage next to {domain}.",
            "Open the Advanced DNS tab; under Host Records choose Add New Record.",
            "Type: TXT Record. Host: {prefix}. Value: paste the value above. TTL: Automatic.",
            "Select the green check mark to save the record.",
        ),
    ),
    DnsHost(
        "azure",
        "Azure DNS",
        (
            "In the Azure portal open DNS zones and select {domain}.",
            "Open Recordsets (Record sets) and choose Add.",
            "Name: {prefix}. Type: TXT. TTL: 1 hour. Value: paste the value above.",
            "Choose Add (or OK) to save.",
        ),
    ),
)


def steps_for(host: DnsHost, prefix: str, domain: str) -> list[str]:
    return [
        step.format(prefix=prefix, domain=domain, name=f"{prefix}.{domain}") for step in host.steps
    ]
