"""Place names as people write them → administrative divisions.

`resolve("内江资中")` returns 四川省内江市资中县; `resolve("大寺镇")` refuses to choose between
天津's and 广西's and raises `AmbiguousPlace`. The whole division table (≈45,000 rows) is held in
memory as one index per process, built on first use.

How a text is read
------------------
The text is normalized (NFKC; whitespace, punctuation and symbols removed) and read left to right
as a chain of names, each one a division inside the previous one. A name is either the official
name ("西青区", "凉山彝族自治州") or a short form of it: the suffix removed (省/市/自治区/地区/盟/区/县/
旗/镇/乡/街道…), ethnic qualifiers dropped (凉山彝族自治州 → 凉山 and 凉山州, 广西壮族自治区 → 广西),
a bracketed remark dropped; short forms under two characters are not used. Levels may be skipped
("山西古交"), and the placeholder prefectures of the municipalities (天津's 市辖区, 重庆's 县) need
not be written, although writing them is accepted. The whole text must be used.

Each complete reading gets a score, compared in this order, and only the lowest counts:

1. whether it starts with a town's short form. Towns named on their own keep their suffix
   (大寺镇, 河口镇); the bare name follows the county ("古交河口"). So "古交" is 古交市 and
   "太原" 太原市, not 运城's 古交镇 or 重庆's 太原镇.
2. how many short forms it uses: an official name beats a short form at the same place, so
   "矿区" is 阳泉's 矿区, not the 矿区街道 of 枣庄, 郑州 and 兰州.
3. how many levels it skips between written names: "山西古交" is 古交市 (太原 skipped), not
   运城新绛县's 古交镇 (two levels skipped).

The last divisions of the best readings are the candidates:

- one division: that is the answer;
- a province among them: a province named on its own is the province (海南 → 海南省; 青海's
  海南藏族自治州 and 乌海's 海南区 are written 海南州 and 海南区);
- one candidate contains all the others: that one (吉林 → 吉林省, which holds 吉林市 and 长春's
  吉林街道). It is the only answer that is true whichever was meant; it is less precise, never
  wrong, and the caller sees its level;
- otherwise `AmbiguousPlace` with every candidate. Nothing else is guessed.

A text of digits is read as a division code ("140181100").
"""

import bisect
import re
import threading
import unicodedata

from django.db import router
from django.utils.translation import gettext as _

from .models import PLACEHOLDER_NAMES, Level, Region

# A division chain is at most a few dozen characters; longer text is not a place name.
MAX_TEXT_LENGTH = 80
# How a reading's last name was written (the score's last item, used by resolve_prefix).
OFFICIAL, SHORT, TOWN_SHORT = 0, 1, 2


class PlaceError(ValueError):
    def __init__(self, message, text):
        super().__init__(message)
        self.text = text


class UnknownPlace(PlaceError):
    """No division matches the text."""


class AmbiguousPlace(PlaceError):
    """Several divisions match the text and nothing in it decides; `.candidates` lists them."""

    def __init__(self, message, text, candidates):
        super().__init__(message, text)
        self.candidates = candidates


# --- names ----------------------------------------------------------------------------------------------

# The 55 recognized minority nationalities as named in autonomous divisions (各族: "all nationalities").
# fmt: off
ETHNIC_GROUPS = sorted([
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
    "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬",
    "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克",
    "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "汉", "各",
], key=len, reverse=True)
# fmt: on

# Suffixes removed to get the short form, longest first; the second item is the generic word of a
# second short form for autonomous divisions (凉山彝族自治州 → 凉山 and 凉山州, 大厂回族自治县 → 大厂县).
SUFFIXES = {
    Level.PROVINCE: [("特别行政区", ""), ("自治区", ""), ("省", ""), ("市", "")],
    Level.CITY: [("自治州", "州"), ("地区", ""), ("盟", ""), ("市", "")],
    Level.COUNTY: [
        ("自治县", "县"),
        ("自治旗", "旗"),
        ("新区", ""),
        ("林区", ""),
        ("特区", ""),
        ("区", ""),
        ("县", ""),
        ("市", ""),
        ("旗", ""),
    ],
    Level.TOWN: [
        # Beijing's 地区办事处 stand for a township: 十八里店地区 is also written 十八里店乡.
        ("地区", "乡"),
        ("街道办事处", ""),
        ("街道", ""),
        ("民族乡", "乡"),
        ("族乡", "乡"),
        ("民族苏木", "苏木"),
        ("苏木", ""),
        ("镇", ""),
        ("乡", ""),
    ],
}
AUTONOMOUS_SUFFIXES = {"自治区", "自治州", "自治县", "自治旗", "民族乡", "族乡", "民族苏木"}
MIN_SHORT_LENGTH = 2

# The national risk-area lists write the placeholder prefectures of province-administered counties
# their own way: "海南省省直辖县级行政单位万宁市".
PLACEHOLDER_ALIASES = {
    "省直辖县级行政区划": ("省直辖县级行政单位", "省直辖县级行政区"),
    "自治区直辖县级行政区划": ("自治区直辖县级行政单位", "自治区直辖县级行政区"),
}

# What the index drops: anything that is not a letter or digit (spaces, punctuation, symbols, _).
DROPPED = re.compile(r"[\W_]+")


def normalize(text):
    """The text as the index compares it: NFKC, letters and digits only."""
    return DROPPED.sub("", unicodedata.normalize("NFKC", text))


def _normalize_with_positions(text):
    """The normalized text, and for each of its characters the position of its source character."""
    chars, positions = [], []
    for position, ch in enumerate(text):
        for piece in normalize(ch):
            chars.append(piece)
            positions.append(position)
    return "".join(chars), positions


def _strip_ethnic(base):
    """凉山彝族 → 凉山, 黔东南苗族侗族 → 黔东南, 博尔塔拉蒙古 → 博尔塔拉, 东乡族 → 东乡; never under two characters."""
    after_zu = False
    while True:
        if base.endswith("族") and len(base) > MIN_SHORT_LENGTH:
            base, after_zu = base[:-1], True
        for group in ETHNIC_GROUPS:
            # A one-character group name (回, 藏, 水…) is an ethnic qualifier only when 族 followed it.
            if base.endswith(group) and (after_zu or len(group) > 1) and len(base) - len(group) >= MIN_SHORT_LENGTH:
                base, after_zu = base[: -len(group)], False
                break
        else:
            return base


def short_names(name, level):
    """The normalized short forms people write for a division's name (possibly none)."""
    forms = set()
    # 东湖风景区街道（武昌） and （工业园区）城南街道 are also written without the remark.
    bare = re.sub(r"[（(][^）)]*[）)]", "", name)
    if bare != name:
        forms.add(bare)
    for suffix, generic in SUFFIXES.get(level, []):
        if bare.endswith(suffix) and len(bare) > len(suffix):
            base = bare[: -len(suffix)]
            if suffix in AUTONOMOUS_SUFFIXES:
                base = _strip_ethnic(base)
            if generic:
                forms.add(base + generic)
            forms.add(base)
            break
    official = normalize(name)
    return {key for key in map(normalize, forms) if len(key) >= MIN_SHORT_LENGTH and key != official}


# --- the index ------------------------------------------------------------------------------------------


class Node:
    __slots__ = ("code", "name", "key", "level", "parent", "placeholder", "full_name", "full_key", "children")

    def __init__(self, code, name, level, parent):
        self.code, self.name, self.level, self.parent = code, name, level, parent
        self.key = normalize(name)
        self.placeholder = level == Level.CITY and name in PLACEHOLDER_NAMES
        self.full_name = self.full_key = ""
        self.children = []


class Index:
    """Every division in memory: names and short forms → codes, the tree, full names."""

    def __init__(self, rows):
        self.nodes = {code: Node(code, name, level, parent) for code, name, level, parent in rows}
        self.codes = sorted(self.nodes)
        self.keys = {}  # normalized name → [(code, how it is written)]
        self.placeholder_keys = {}
        for code in self.codes:  # parents come before children: codes nest by prefix
            node = self.nodes[code]
            parent = self.nodes.get(node.parent)
            if parent is not None:
                parent.children.append(code)
                node.full_name, node.full_key = parent.full_name, parent.full_key
            if node.placeholder:
                for key in {node.key, *PLACEHOLDER_ALIASES.get(node.name, ())}:
                    self.placeholder_keys.setdefault(normalize(key), []).append(code)
                continue
            node.full_name += node.name
            node.full_key += node.key
            self.keys.setdefault(node.key, []).append((code, OFFICIAL))
            written = TOWN_SHORT if node.level == Level.TOWN else SHORT
            for short in short_names(node.name, node.level):
                self.keys.setdefault(short, []).append((code, written))
        self.max_key_length = max(map(len, self.keys), default=0)
        self.provinces = [c for c in self.codes if self.nodes[c].level == Level.PROVINCE]
        # Substring search runs str.find over all full names joined in one string.
        self.search_codes = [c for c in self.codes if not self.nodes[c].placeholder]
        self.search_text = "\n".join(self.nodes[c].full_key for c in self.search_codes)
        self.search_starts = []
        offset = 0
        for code in self.search_codes:
            self.search_starts.append(offset)
            offset += len(self.nodes[code].full_key) + 1

    # The tree

    def picker_children(self, code):
        """Children as a person picks them: each placeholder prefecture replaced by what it holds."""
        children = self.provinces if code is None else self.nodes[code].children
        result = []
        for child in children:
            node = self.nodes[child]
            result.extend(node.children if node.placeholder else [child])
        return result

    def lineage(self, code):
        """Codes from the province down to `code`, placeholders left out."""
        chain = []
        node = self.nodes.get(code)
        while node is not None:
            if not node.placeholder:
                chain.append(node.code)
            node = self.nodes.get(node.parent)
        return chain[::-1]

    def descendants(self, code):
        start = bisect.bisect_right(self.codes, code)
        end = bisect.bisect_left(self.codes, code + "\uffff")
        return self.codes[start:end]

    def with_code_prefix(self, digits):
        start = bisect.bisect_left(self.codes, digits)
        end = bisect.bisect_left(self.codes, digits + "\uffff")
        return self.codes[start:end]

    def containing(self, normalized):
        """Codes whose full name (which ends with the name) contains the normalized text."""
        codes = []
        position = self.search_text.find(normalized)
        while position != -1:
            row = bisect.bisect_right(self.search_starts, position) - 1
            codes.append(self.search_codes[row])
            if row + 1 == len(self.search_starts):
                break
            position = self.search_text.find(normalized, self.search_starts[row + 1])
        return codes

    def region(self, code):
        """A Region for `code` with its ancestors loaded as `.parent`, built without a query."""
        node = self.nodes[code]
        region = Region.from_db(
            router.db_for_read(Region),
            ["code", "name", "level", "parent_id"],
            [code, node.name, node.level, node.parent],
        )
        if node.parent in self.nodes:
            region.parent = self.region(node.parent)
        return region

    def as_dict(self, code):
        """A division as the picker and the API show it."""
        node = self.nodes[code]
        return {
            "code": node.code,
            "name": node.name,
            "level": node.level,
            "level_label": str(Level(node.level).label),
            "full_name": node.full_name,
            "parent": self.lineage(code)[-2] if node.level > Level.PROVINCE else None,
            "lineage": self.lineage(code),
            "has_children": bool(node.children),
        }

    # Reading text

    def _skipped(self, ancestor, node):
        """Levels between two written names that the writer left out (placeholders don't count)."""
        skipped = node.level - ancestor.level - 1
        if ancestor.level == Level.PROVINCE and node.level > Level.CITY and self.nodes[node.code[:4]].placeholder:
            skipped -= 1
        return skipped

    def parse(self, text):
        """For each prefix length, {code: score} of the best readings of that prefix ending at code.

        A score is (starts with a town's short form, short forms used, levels skipped, how the last
        name was written); see the module's documentation.
        """
        length = len(text)
        states = [None] * (length + 1)
        states[0] = {None: (0, 0, 0, OFFICIAL)}
        for start in range(length):
            current = states[start]
            if not current:
                continue
            for end in range(start + 1, min(length, start + self.max_key_length) + 1):
                key = text[start:end]
                entries = self.keys.get(key)
                placeholders = self.placeholder_keys.get(key)
                if not entries and not placeholders:
                    continue
                reached = states[end]
                if reached is None:
                    reached = states[end] = {}
                for last, (town_first, shorts, skipped, _written) in current.items():
                    last_node = self.nodes[last] if last is not None else None
                    for code, written in entries or ():
                        if last_node is None:
                            score = (int(written == TOWN_SHORT), int(written != OFFICIAL), 0, written)
                        elif code == last and written == OFFICIAL and last_node.level >= Level.COUNTY:
                            # "河北省定州市定州市": a county-level city under the province is listed as
                            # both the city and the county, so its name comes twice.
                            score = (town_first, shorts, skipped, written)
                        elif code.startswith(last) and code != last:
                            score = (
                                town_first,
                                shorts + (written != OFFICIAL),
                                skipped + self._skipped(last_node, self.nodes[code]),
                                written,
                            )
                        else:
                            continue
                        if code not in reached or score < reached[code]:
                            reached[code] = score
                    # "天津市市辖区西青区": a placeholder may be written, right after its province.
                    for code in placeholders or ():
                        if self.nodes[code].parent == last:
                            score = (town_first, shorts, skipped, OFFICIAL)
                            if code not in reached or score < reached[code]:
                                reached[code] = score
        return states

    def choose(self, readings):
        """(code, []) for the answer among the last divisions of readings, or (None, candidates)."""
        scores = {code: score[:3] for code, score in readings.items() if not self.nodes[code].placeholder}
        if not scores:
            return None, []
        best = min(scores.values())
        candidates = sorted((c for c, s in scores.items() if s == best), key=lambda c: (self.nodes[c].level, c))
        if len(candidates) == 1:
            return candidates[0], []
        provinces = [c for c in candidates if self.nodes[c].level == Level.PROVINCE]
        if len(provinces) == 1:
            return provinces[0], []
        top = candidates[0]
        if all(c.startswith(top) for c in candidates[1:]):
            return top, []
        return None, candidates


_index = None
_lock = threading.Lock()


def get_index():
    """The process's index, built on first use.

    The table changes through migrations and `loadregions`, which run before the web and worker
    processes (re)start; saving or deleting a Region in this process, `loadregions` and
    `clear_cache()` drop the index. Checking the table on every call would cost a query per name.
    """
    global _index
    index = _index
    if index is not None:
        return index
    with _lock:
        if _index is not None:
            return _index
        index = Index(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))
        if index.nodes:
            # An empty table is a moment (a test's flush, a load under way): don't keep it.
            _index = index
        return index


def clear_cache(**kwargs):
    """Drop the index; the next use rebuilds it. Accepts signal arguments."""
    global _index
    with _lock:
        _index = None


# --- the interface --------------------------------------------------------------------------------------


def _unknown(text):
    if not normalize(text):
        return UnknownPlace(_("No place name was given."), text)
    return UnknownPlace(_("No administrative division called “%(text)s” was found.") % {"text": text}, text)


def _ambiguous(index, text, candidates):
    return AmbiguousPlace(
        _("“%(text)s” could be several places: %(candidates)s. Add the province or city to tell them apart.")
        % {"text": text, "candidates": describe(index, candidates)},
        text,
        [index.region(c) for c in candidates],
    )


def describe(index, codes, limit=12):
    """The full names of `codes` as one readable list (long lists cut, with a count)."""
    names = [index.nodes[c].full_name for c in codes[:limit]]
    if len(codes) > limit:
        names.append(_("and %(count)d more") % {"count": len(codes) - limit})
    return _(", ").join(names)


def resolve(text):
    """The division `text` names (or whose code it is). Raises UnknownPlace, or AmbiguousPlace."""
    text = "" if text is None else str(text)
    normalized = normalize(text)
    if not normalized or len(normalized) > MAX_TEXT_LENGTH:
        raise _unknown(text)
    index = get_index()
    if normalized.isdigit():
        node = index.nodes.get(normalized)
        if node is None or node.placeholder:
            raise _unknown(text)
        return index.region(normalized)
    code, candidates = index.choose(index.parse(normalized)[-1] or {})
    if code is not None:
        return index.region(code)
    if candidates:
        raise _ambiguous(index, text, candidates)
    # Written the way the national lists write it? Each rewriting that reads whole must agree.
    found = set()
    for variant in variants(text):
        variant_key = normalize(variant)
        if variant_key and len(variant_key) <= MAX_TEXT_LENGTH and variant_key != normalized:
            code, candidates = index.choose(index.parse(variant_key)[-1] or {})
            found.update([code] if code else candidates)
    if len(found) == 1:
        return index.region(found.pop())
    if found:
        raise _ambiguous(index, text, sorted(found, key=lambda c: (index.nodes[c].level, c)))
    raise _unknown(text)


# A development zone, demonstration zone or park with no division code of its own, written between
# divisions: "陕西省杨凌示范区杨陵区" is 杨陵区 (咸阳市), which the zone administers.
ZONE = re.compile(
    r"[^省市县区旗州盟（）()]{1,12}?"
    r"(?:示范区|经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|开发区|经开区|管委会|工业园区|产业园区)"
)
BRACKET = re.compile(r"[（(]([^）)]*)[）)]")


def variants(text):
    """Other ways to read a place as real notices write it (each then has to read whole).

    - a bracketed remark dropped: "十八里店（地区）乡" → "十八里店乡";
    - a bracketed division standing for the zone before it: "武汉市经开区（汉南区）" → "武汉市汉南区";
    - a zone without a code dropped: "陕西省杨凌示范区杨陵区" → "陕西省杨陵区".
    """
    text = str(text or "")
    found = []
    bare = BRACKET.sub("", text)
    if bare != text:
        found.append(bare)
        match = BRACKET.search(text)
        before = text[: match.start()]
        try:
            _region, rest = resolve_prefix(before)
        except PlaceError:
            rest = ""
        if rest and before.rstrip().endswith(rest):
            found.append(before.rstrip()[: -len(rest)] + match.group(1) + text[match.end() :])
    for candidate in [text, *found]:
        # Only a zone between divisions: a zone at the end, dropped, would place its text in the
        # whole city or province around it.
        dropped = ZONE.sub(lambda m, c=candidate: "" if normalize(c[m.end() :]) else m.group(0), candidate)
        if dropped != candidate and dropped:
            found.append(dropped)
    return list(dict.fromkeys(found))


# A short form followed by one of these was cut out of a longer name: 高新 of 高新区.
DIVISION_SUFFIX_CHARS = frozenset("省市区县镇乡街旗州盟")


def resolve_prefix(text):
    """(division, remainder) for a text naming a place inside a division.

    "西安市高新区" → (西安市, "高新区"); "太原市小店区某某小区" → (小店区, "某某小区"). The division is the
    deepest one that a beginning of the text names unambiguously, the remainder the rest of the
    text as written, for a person to review ("" when the whole text is a division). A beginning
    that ends with a town's short form, or with any short form followed by a division suffix, does
    not count: "坞城路" is a road, not 坞城街道. Raises UnknownPlace when no beginning names a
    division, AmbiguousPlace when the only ones that do are ambiguous.
    """
    text = "" if text is None else str(text)
    normalized, positions = _normalize_with_positions(text)
    if not normalized:
        raise _unknown(text)
    index = get_index()
    normalized = normalized[:MAX_TEXT_LENGTH]
    states = index.parse(normalized)
    best = None  # (level, length, code)
    ambiguous = None
    for end in range(len(normalized), 0, -1):
        readings = states[end]
        if not readings:
            continue
        if end < len(normalized):
            cut_inside = normalized[end] in DIVISION_SUFFIX_CHARS
            readings = {
                code: score
                for code, score in readings.items()
                if score[3] != TOWN_SHORT and not (cut_inside and score[3] == SHORT)
            }
        code, candidates = index.choose(readings)
        if code is not None:
            best = max(best or (0, 0, ""), (index.nodes[code].level, end, code))
        elif candidates and ambiguous is None:
            ambiguous = (end, candidates)
    if best is not None:
        _level, end, code = best
        remainder = text[positions[end - 1] + 1 :] if end < len(positions) else ""
        return index.region(code), _trim(remainder)
    if ambiguous is not None:
        end, candidates = ambiguous
        raise _ambiguous(index, text[: positions[end - 1] + 1], candidates)
    raise _unknown(text)


def _trim(remainder):
    """The remainder without the spaces and separators (、，- …) that joined it; brackets stay."""
    start = 0
    while start < len(remainder) and unicodedata.category(remainder[start]) in ("Zs", "Po", "Pd", "Cc"):
        start += 1
    return remainder[start:].rstrip()


def search(query, limit=20):
    """Divisions for a type-ahead, best first, at most `limit`.

    First what the query resolves to ("古交河口"), then where a chain the query begins leads
    ("古交河" → 古交市河口镇), then divisions whose name starts with, whose name contains, or whose
    full name contains the query; each group highest level and shortest first. Digits look up codes.
    """
    normalized = normalize(query or "")[:MAX_TEXT_LENGTH]
    if not normalized:
        return []
    index = get_index()
    found = {}  # insertion-ordered set

    def rank(code):
        node = index.nodes[code]
        return (node.level, len(node.full_key), code)

    def add(codes):
        for code in codes:
            if len(found) >= limit:
                return
            if not index.nodes[code].placeholder:
                found.setdefault(code)

    if normalized.isdigit():
        add(sorted(index.with_code_prefix(normalized), key=rank))
        return [index.nodes[c] for c in found]

    states = index.parse(normalized)
    complete = {c: s[:3] for c, s in (states[-1] or {}).items() if not index.nodes[c].placeholder}
    if complete:
        chosen, _candidates = index.choose(complete)
        add([chosen] if chosen else [])
        add(sorted(complete, key=lambda c: (complete[c], rank(c))))
    partial = set()
    for end in range(len(normalized) - 1, 0, -1):
        rest = normalized[end:]
        for last in states[end] or ():
            partial.update(c for c in index.descendants(last) if index.nodes[c].key.startswith(rest))
    add(sorted(partial, key=rank))
    if len(found) < limit:

        def match(code):
            key = index.nodes[code].key
            return 0 if key.startswith(normalized) else 1 if normalized in key else 2

        add(sorted(index.containing(normalized), key=lambda c: (match(c), rank(c))))
    return [index.nodes[c] for c in found]
