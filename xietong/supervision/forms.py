"""Forms of the supervision pages: they check the shape of the input; the actions decide what is allowed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.access import visible_units
from xietong.core.models import Unit, UnitKind
from xietong.core.uploads import ALLOWED_TYPES as ALLOWED_EVIDENCE_TYPES

from .actions import TRANSITIONS
from .dashboard import Filters, city_units
from .models import SUB_AREAS, Domain, Frequency, Health, Priority, State

PERCENT_MESSAGE = _("The percentage must be between 0 and 100.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def unit_label(unit):
    return unit.display_name


def tree_label(unit):
    """The unit indented under its parent (units listed in path order read as a tree).

    The ideographic space is not HTML white space, so browsers keep it at the start of an option.
    """
    depth = max(unit.path.count("/") - 3, 0)  # the cities under the office are at the left edge
    return "\u3000" * depth + unit.display_name


def matter_units():
    """Units that can lead or deliver part of a cluster matter, in tree order (enterprises and hotels cannot)."""
    from .actions import NON_MATTER_UNIT_KINDS

    return Unit.objects.exclude(parent__isnull=True).exclude(kind__in=NON_MATTER_UNIT_KINDS).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


KIND_RANK = {kind: rank for rank, kind in enumerate(UnitKind.values)}


def in_tree_order(units):
    """Units as a tree: each under its parent, siblings by kind (as UnitKind lists them) and then by name.

    Sorting by the path text would order siblings by their ids as text, so a unit numbered 10 would come
    before one numbered 9; the key here is built from each ancestor's kind and name instead.
    """
    units = list(units)
    ids = {pk for unit in units for pk in unit.ancestors()}
    known = {unit.pk: unit for unit in units}
    for unit in Unit.objects.filter(pk__in=ids - set(known)):
        known[unit.pk] = unit

    def key(unit):
        return [
            (KIND_RANK.get(known[pk].kind, len(KIND_RANK)), known[pk].name, pk)
            for pk in unit.ancestors()
            if pk in known
        ]

    return sorted(units, key=key)


class TreeOrderIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in in_tree_order(self.queryset):
            yield self.choice(unit)


class UnitTreeChoiceField(forms.ModelChoiceField):
    iterator = TreeOrderIterator

    def label_from_instance(self, obj):
        return tree_label(obj)


class UnitTreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = TreeOrderIterator

    def label_from_instance(self, obj):
        return tree_label(obj)


def sub_area_choices():
    """Sub-areas grouped by their domain, so the list reads right even without the script that narrows it."""
    return [("", "—")] + [(domain.label, [(s.value, s.label) for s in subs]) for domain, subs in SUB_AREAS.items()]


class FilterForm(forms.Form):
    """The filters of the dashboard and the matter list (GET); a value that does not fit is ignored with a note."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or description, e.g. 大气")}),
    )
    city = UnitChoiceField(label=_("City"), queryset=Unit.objects.none(), required=False, empty_label=_("All"))
    domain = forms.ChoiceField(label=_("Domain"), choices=[("", _("All")), *Domain.choices], required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *State.choices], required=False)
    health = forms.ChoiceField(label=_("Health"), choices=[("", _("All")), *Health.choices], required=False)
    lead_unit = UnitChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["city"].queryset = city_units()
        self.fields["lead_unit"].queryset = visible_units(user).order_by("path")

    def controls(self):
        """The select boxes as ready HTML with their labels.

        Built by hand because Django renders every <option> of a widget through its own
        template, which on the dashboard cost more than all its queries together.
        """
        controls = []
        for name in ["city", "domain", "state", "health", "lead_unit"]:
            bound = self[name]
            chosen = str(self.data.get(name, "")) if self.is_bound else ""
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if str(value) == chosen else "", label)
                    for value, label in bound.field.choices
                ),
            )
            html = format_html('<select name="{}" id="{}">{}</select>', name, bound.auto_id, options)
            controls.append({"id": bound.auto_id, "label": bound.label, "html": html})
        return controls

    def filters(self):
        """The filters that validated; a bad one is dropped rather than failing the whole page."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return Filters(
            city=values.get("city"),
            domain=values.get("domain") or "",
            state=values.get("state") or "",
            health=values.get("health") or "",
            lead_unit=values.get("lead_unit"),
            q=(values.get("q") or "").strip(),
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300)
    due_date = forms.DateField(label=_("due date"), widget=DateInput())


class BaseMilestoneFormSet(forms.BaseFormSet):
    def milestones(self):
        return [
            (f.cleaned_data["title"], f.cleaned_data["due_date"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


MilestoneFormSet = forms.formset_factory(MilestoneForm, formset=BaseMilestoneFormSet, extra=3, max_num=20)


class MatterFieldsForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    domain = forms.ChoiceField(label=_("domain"), choices=Domain.choices)
    sub_area = forms.ChoiceField(label=_("sub-area"), choices=sub_area_choices, required=False)
    co_units = UnitTreeMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Units that deliver part of the matter and report their part."),
    )
    start_date = forms.DateField(label=_("start"), widget=DateInput())
    due_date = forms.DateField(label=_("due date"), widget=DateInput())
    priority = forms.TypedChoiceField(label=_("priority"), choices=Priority.choices, coerce=int)
    reporting_frequency = forms.ChoiceField(label=_("reporting frequency"), choices=Frequency.choices)
    public = forms.BooleanField(label=_("Show on a public page (without personal data)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_units"].queryset = matter_units()

    def clean(self):
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        return data


class MatterCreateForm(MatterFieldsForm):
    code = forms.CharField(
        label=pgettext_lazy("matter", "code"),
        max_length=40,
        help_text=_("The number the offices use for it, e.g. 2022-JT-01."),
    )
    lead_unit = UnitTreeChoiceField(label=_("lead unit"), queryset=Unit.objects.none(), empty_label=_("Please choose"))
    assign = forms.BooleanField(
        label=_("Assign at once (the units are told and can report)"), required=False, initial=True
    )

    field_order = ["code", "title", "description", "domain", "sub_area", "lead_unit", "co_units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = matter_units()

    def clean(self):
        data = super().clean()
        lead, co_units = data.get("lead_unit"), data.get("co_units") or []
        if lead is not None and lead in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


class MatterEditForm(MatterFieldsForm):
    """Edits carry the version they were made on, so a stale edit is refused rather than overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, matter, **kwargs):
        self.matter = matter
        super().__init__(*args, **kwargs)
        self.fields["co_units"].queryset = self.fields["co_units"].queryset.exclude(pk=matter.lead_unit_id)

    @classmethod
    def for_matter(cls, matter):
        initial = {
            "title": matter.title,
            "description": matter.description,
            "domain": matter.domain,
            "sub_area": matter.sub_area,
            "co_units": [c.unit_id for c in matter.co_units.all()],
            "start_date": matter.start_date,
            "due_date": matter.due_date,
            "priority": matter.priority,
            "reporting_frequency": matter.reporting_frequency,
            "public": matter.public,
            "version": matter.version,
        }
        return cls(initial=initial, matter=matter)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EVIDENCE_TYPES))}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("For unit"), coerce=int)
    period_start = forms.DateField(label=_("period from"), widget=DateInput())
    period_end = forms.DateField(label=_("period to"), widget=DateInput())
    percent = forms.IntegerField(
        label=_("percent complete"),
        min_value=0,
        max_value=100,
        error_messages={"min_value": PERCENT_MESSAGE, "max_value": PERCENT_MESSAGE},
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("PDF, images, Word, Excel or text; several files may be chosen."),
    )
    resubmission_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # On a correction: evidence of the corrected report to leave out (the rest is kept).
    drop_evidence = forms.TypedMultipleChoiceField(required=False, coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, matter, units, **kwargs):
        self.matter = matter
        self.participating = {u.pk: u for u in [matter.lead_unit, *(c.unit for c in matter.co_units.all())]}
        super().__init__(*args, **kwargs)
        # Any unit of the matter is accepted here; whether this person may report for it is the action's call.
        self.fields["unit"].choices = [(u.pk, unit_label(u)) for u in units]
        self.fields["unit"].valid_value = lambda value: True
        self.fields["drop_evidence"].valid_value = lambda value: True

    def clean_unit(self):
        unit = self.participating.get(self.cleaned_data["unit"])
        if unit is None:
            raise ValidationError(_("This unit is not part of this matter."))
        return unit

    def clean_resubmission_of(self):
        """The returned report this one corrects: it must be one of this matter's reports."""
        pk = self.cleaned_data.get("resubmission_of")
        if pk is None:
            return None
        report = self.matter.reports.filter(pk=pk).first()
        if report is None:
            raise ValidationError(_("Only a returned or withdrawn report of the same unit can be corrected."))
        return report

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UrgingReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)


class ExtensionForm(forms.Form):
    requested_due = forms.DateField(label=_("requested due date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("grant", _("Grant")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    granted_due = forms.DateField(label=_("granted due date"), widget=DateInput(), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the units"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    reply_due = forms.DateField(
        label=_("reply by"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for the escalation ladder's deadline (working days)."),
    )


class TransitionForm(forms.Form):
    name = forms.ChoiceField(choices=[(name, name) for name in TRANSITIONS])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["invalid_choice"] = _("Unknown action.")


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("content"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Type @ and the name of a unit or a person who can see this matter to notify them."),
    )


class InstructionForm(forms.Form):
    leader = forms.CharField(label=_("leader"), max_length=100, help_text=_("e.g. 王副市长"))
    text = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
