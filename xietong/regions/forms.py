"""The place picker: a form field whose value is a Region, typed or picked.

A person types a name ("古交河口", "天津市西青区大寺镇"), which `resolve` reads, or picks from the
type-ahead list or the province → city → county → town selects (placepicker.js), which send the
region's code with the text. Without JavaScript the text input alone works. Templates using the
field include `{{ form.media }}`.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Level, Region
from .resolver import AmbiguousPlace, UnknownPlace, describe, get_index, normalize, resolve

CODE_SUFFIX = "_code"


class PlacePicker(forms.Widget):
    """A text input with a type-ahead list, plus cascading selects added by placepicker.js."""

    template_name = "regions/widgets/placepicker.html"

    class Media:
        css = {"all": ["regions/regions.css"]}
        js = ["regions/placepicker.js"]

    def value_from_datadict(self, data, files, name):
        return {"text": data.get(name, ""), "code": data.get(name + CODE_SUFFIX, "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + CODE_SUFFIX not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {"text": "", "code": ""}
        index = get_index()
        node = index.nodes.get(value.get("code") or "")
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or name
        help_id = f"{widget_id}-help"
        # The form may already describe the input (help text, errors): keep both.
        described_by = widget["attrs"].get("aria-describedby", "")
        widget["attrs"]["aria-describedby"] = " ".join(filter(None, [help_id, described_by]))
        widget.update(
            text=value.get("text") or "",
            code=node.code if node else "",
            picked=node,
            picked_level=Level(node.level).label if node else "",
            lineage=json.dumps(index.lineage(node.code) if node else []),
            listbox_id=f"{widget_id}-listbox",
            help_id=help_id,
            children_url=reverse("regions:children"),
            search_url=reverse("regions:search"),
            level_labels=json.dumps({int(level): str(level.label) for level in Level}, ensure_ascii=False),
            depths=range(4),
        )
        return context


class PlaceField(forms.Field):
    """A division, typed (read by `resolve`) or picked (its code). The cleaned value is a Region."""

    widget = PlacePicker
    default_error_messages = {
        "unknown": _("No division called “%(text)s” was found. Check the name, or pick the place from the lists."),
        "ambiguous": _(
            "“%(text)s” could be several places: %(candidates)s. Type the province or city too, or pick one "
            "from the lists."
        ),
        "unknown_code": _("That division does not exist. Pick the place again."),
    }

    def prepare_value(self, value):
        """What the widget shows: {"text", "code"} from a Region, a code, or the submitted data."""
        if isinstance(value, Region):
            value = value.code
        if isinstance(value, str):
            value = {"text": "", "code": value}
        if not isinstance(value, dict):
            return {"text": "", "code": ""}
        text, code = (value.get("text") or "").strip(), (value.get("code") or "").strip()
        node = get_index().nodes.get(code)
        if node is None or node.placeholder or (text and not _names(text, node)):
            code = ""
        elif not text:
            text = node.full_name
        return {"text": text, "code": code}

    def to_python(self, value):
        if isinstance(value, Region):
            return value
        if isinstance(value, str):
            value = {"text": value, "code": ""}
        text = (value or {}).get("text", "").strip()
        code = (value or {}).get("code", "").strip()
        if not text and not code:
            return None
        index = get_index()
        node = index.nodes.get(code)
        if node is not None and not node.placeholder and (not text or _names(text, node)):
            return index.region(code)
        if not text:
            raise ValidationError(self.error_messages["unknown_code"], code="unknown_code")
        # The text was typed (or changed after picking): it decides.
        try:
            return resolve(text)
        except UnknownPlace:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"text": text})
        except AmbiguousPlace as error:
            codes = [region.code for region in error.candidates]
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"text": text, "candidates": describe(index, codes), "codes": codes},
            )

    def has_changed(self, initial, data):
        initial_code = self.prepare_value(initial)["code"]
        try:
            region = self.to_python(data)
        except ValidationError:
            return True
        return (region.code if region else "") != initial_code


def _names(text, node):
    """Whether `text` is this division's name or full name, as the picker fills it in."""
    return normalize(text) in (node.key, node.full_key)


def ambiguous_candidates(form, field_name):
    """The candidate codes of an ambiguous place typed in `field_name`, for a page to offer them."""
    for error in form.errors.as_data().get(field_name, []):
        if error.code == "ambiguous":
            return error.params["codes"]
    return []
