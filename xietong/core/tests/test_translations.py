"""Chinese is the default language and must be complete: every catalog fully translated and compiled."""

import gettext
import json
import re
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


# --- one set of terms, in Chinese typography ------------------------------------------------------------------

CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
HALF_WIDTH = ",;:?!()"
# What keeps its own signs inside Chinese text: placeholders, URLs, markup, code, and a sign quoted as itself
# (“!” marks an overdue count on the scorecard).
NOT_TEXT = re.compile(r"%\([^)]*\)[sdifr]|%[sdif]|\{[^}]*\}|https?://\S+|<[^>]*>|`[^`]*`|[（“‘「][!?,;:]+[）”’」]")
CRAMPED = re.compile(rf"[{CJK}]\s*[{re.escape(HALF_WIDTH)}]|[{re.escape(HALF_WIDTH)}]\s*[{CJK}]")


def app_of(po):
    return po.parts[-5]


def test_chinese_text_uses_full_width_punctuation():
    """GB/T 15834-2011: in Chinese text the comma, semicolon, colon, question and exclamation marks and
    brackets are full-width (，；：？！（）); a half-width one next to a Chinese character is a slip."""
    cramped = [
        f"{app_of(po)}: {msgid!r} → {msgstr!r}"
        for po in CATALOGS
        for _context, msgid, msgstr, _fuzzy in parse_po(po)
        if CRAMPED.search(NOT_TEXT.sub("", msgstr))
    ]
    assert cramped == []


def test_a_source_text_reads_the_same_in_every_app():
    """Django merges the apps' catalogs into one, the first app in INSTALLED_APPS winning: an English text
    that two apps translate differently shows the first app's words in the other app too. A text that must
    read differently there carries a context (pgettext)."""
    from django.conf import settings

    order = [name.rsplit(".", 1)[-1] for name in settings.INSTALLED_APPS]
    words = {}
    for po in sorted(CATALOGS, key=lambda po: order.index(app_of(po))):
        for context, msgid, msgstr, _fuzzy in parse_po(po):
            words.setdefault((context, msgid), {}).setdefault(msgstr, []).append(app_of(po))
    conflicts = [
        f"{msgid!r}" + (f" ({context})" if context else "") + f": {translations}"
        for (context, msgid), translations in words.items()
        if len(translations) > 1
    ]
    assert conflicts == []
