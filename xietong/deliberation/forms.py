from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.regions.forms import PlaceField

from .models import Category, Hall, Rating


class ConcernForm(forms.Form):
    hall = forms.ModelChoiceField(Hall.objects.all(), label=_("deliberation hall"), empty_label=None)
    category = forms.ModelChoiceField(Category.objects.all(), label=_("what kind of problem"), empty_label=None)
    text = forms.CharField(
        label=_("what is the problem"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        required=False,
        help_text=_("Say what, where and since when. Do not write other people's names or phone numbers."),
    )
    place = PlaceField(label=_("place"), required=False)
    address = forms.CharField(label=_("street and number"), max_length=200, required=False)
    # An optional map point: filled by the browser's location (report.js) or typed; the action checks it.
    lat = forms.DecimalField(
        label=_("latitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "placeholder": "37.870000"}),
    )
    lon = forms.DecimalField(
        label=_("longitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "placeholder": "112.550000"}),
    )
    photo = forms.FileField(
        label=_("photo (optional)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    contact = forms.CharField(
        label=_("phone or e-mail (optional)"),
        max_length=100,
        required=False,
        help_text=_("Only the hall's staff can see it, to call you back. It is deleted after the case is closed."),
    )
    # A field people never see; programs that fill every field fill it too.
    website = forms.CharField(
        required=False, label="", widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class RatingForm(forms.Form):
    value = forms.ChoiceField(
        label=_("how satisfied are you with the result"),
        choices=Rating.Value.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


# Prefixes staff may write before a question, in Chinese or English, to say its kind.
KIND_PREFIXES = {
    "单选": "single",
    "single": "single",
    "多选": "multiple",
    "multiple": "multiple",
    "填空": "text",
    "文字": "text",
    "问答": "text",
    "text": "text",
}
OPTIONAL_MARKS = ("（选填）", "(选填)", "(optional)")
OPTION_BULLETS = ("-", "－", "·", "•", "*")


def parse_questions(text):
    """Questions typed one to a line, each followed by its options as "- option" lines.

    "单选：" / "多选：" / "填空：" (or single: / multiple: / text:) before a question says its kind; without one
    a question with options is single choice and one without is a written answer. "（选填）" makes it optional.
    The action checks what comes out; this only reads the layout.
    """
    questions = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(OPTION_BULLETS) and questions:
            questions[-1]["choices"].append(line.lstrip("".join(OPTION_BULLETS)).strip())
            continue
        kind = None
        head, sep, rest = line.replace("：", ":").partition(":")
        if sep and head.strip().lower() in KIND_PREFIXES:
            kind, line = KIND_PREFIXES[head.strip().lower()], line[len(head) + 1 :].strip()
        required = True
        for mark in OPTIONAL_MARKS:
            if line.endswith(mark):
                line, required = line[: -len(mark)].strip(), False
        questions.append({"kind": kind, "text": line, "choices": [], "required": required})
    for question in questions:
        if question["kind"] is None:
            question["kind"] = "single" if question["choices"] else "text"
    return questions
