"""The workflows the home page and the navigation link to.

An app joins by setting `workflow` on its AppConfig: a dict with `title`,
`description` and `url` (a URL name, which must exist: a renamed one fails loudly).
Apps without pages simply don't.
"""

from django.apps import apps
from django.urls import reverse


def workflows():
    entries = []
    for config in apps.get_app_configs():
        spec = getattr(config, "workflow", None)
        if not spec:
            continue
        entries.append({**spec, "href": reverse(spec["url"]), "order": spec.get("order", 100)})
    return sorted(entries, key=lambda e: e["order"])
