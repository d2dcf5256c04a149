"""Chinese is the default language and must be complete: every catalog fully translated and compiled."""

import gettext
import json
from pathlib import Path

import pytest

APPS_DIR = Path(__file__).resolve().parents[2]
CATALOGS = sorted(APPS_DIR.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def parse_po(path):
    """(context, msgid, msgstr, fuzzy) for each entry, plural forms as their first form."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += json.loads(line)
                continue
            key, _, value = line.partition(" ")
            current = key
            fields[key] = json.loads(value)
        if "msgid" in fields and fields["msgid"]:
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields.get("msgctxt"), fields["msgid"], msgstr, fuzzy))
    return entries


def test_there_are_catalogs():
    assert any(p.parts[-5] == "core" for p in CATALOGS)


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-5])
def test_catalog_is_complete_and_compiled(po):
    entries = parse_po(po)
    untranslated = [msgid for _, msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == [], f"untranslated in {po}: {untranslated[:10]}"
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for context, msgid, msgstr, _ in entries
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], f"{po.with_suffix('.mo')} is older than its .po: run compilemessages"
