import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import Unit, UnitKind
from xietong.supervision.forms import UnitTreeChoiceField, UnitTreeMultipleChoiceField, matter_units
from xietong.supervision.models import SUB_AREAS, Domain, Frequency, Priority

from .models import Clause, DocumentKind, Meeting

DATE_ERRORS = {"invalid": _("Enter the date as YYYY-MM-DD, for example 2022-07-27.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True):
    return forms.DateField(
        label=label, required=required, input_formats=["%Y-%m-%d"], widget=DateInput(), error_messages=DATE_ERRORS
    )


def meeting_units():
    """Units that host or attend joint meetings: the office, the cities and the task forces, in tree order."""
    return Unit.objects.filter(kind__in=[UnitKind.OFFICE, UnitKind.CITY, UnitKind.TASK_FORCE]).order_by("path")


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.display_name


class MeetingForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, help_text=_("1 for the first joint meeting, …"))
    title = forms.CharField(label=_("Title"), max_length=200)
    date = date_field(_("Date"))
    place = forms.CharField(label=_("Place"), max_length=200)
    host_unit = UnitTreeChoiceField(label=_("Host unit"), queryset=Unit.objects.none(), empty_label=_("Please choose"))
    participants = UnitsChoiceField(
        label=_("Participating units"),
        queryset=Unit.objects.none(),
        help_text=_("The host unit always takes part."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One agenda item per line."),
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = meeting_units()
        self.fields["participants"].queryset = meeting_units()
        if not self.is_bound:
            last = Meeting.objects.order_by("-number").values_list("number", flat=True).first()
            self.initial.setdefault("number", (last or 0) + 1)

    def clean_agenda(self):
        return lines(self.cleaned_data["agenda"])


class MeetingEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = date_field(_("Date"))
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = UnitsChoiceField(label=_("Participating units"), queryset=Unit.objects.none())
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = meeting_units() | Unit.objects.filter(pk=meeting.host_unit_id)
        if not self.is_bound:
            self.initial.update(
                {
                    "title": meeting.title,
                    "date": meeting.date,
                    "place": meeting.place,
                    "participants": list(meeting.participants.all()),
                    "minutes": meeting.minutes,
                }
            )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signatories = UnitsChoiceField(label=_("Signatory units"), queryset=Unit.objects.none())
    full_text = forms.CharField(label=_("Full text"), widget=forms.Textarea(attrs={"rows": 10}))
    clauses = forms.CharField(
        label=_("Clauses"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One clause per line, in order; they are numbered 1, 2, 3, …"),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # All units are offered so that a wrong choice gets the action's clear message.
        self.fields["signatories"].queryset = meeting_units()
        if not self.is_bound:
            self.initial["signatories"] = list(meeting.participants.all())

    def clean_clauses(self):
        return lines(self.cleaned_data["clauses"])


class DecisionForm(forms.Form):
    basis = forms.ChoiceField(label=_("Based on"))
    text = forms.CharField(label=pgettext_lazy("meeting", "Decision"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda_items = {str(item.pk): item for item in meeting.agenda_items.all()}
        self.clauses = {str(clause.pk): clause for clause in meeting_clauses(meeting)}
        clause_choices = []
        for pk, clause in self.clauses.items():
            label = _("%(document)s, clause %(number)d") % {"document": clause.document.title, "number": clause.number}
            clause_choices.append((f"c{pk}", label))
        self.fields["basis"].choices = [
            ("", "—"),
            (_("Agenda items"), [(f"a{pk}", item.title) for pk, item in self.agenda_items.items()]),
            (_("Clauses of the documents adopted"), clause_choices),
        ]

    def clean(self):
        data = super().clean()
        basis = data.get("basis") or ""
        data["agenda_item"] = self.agenda_items.get(basis[1:]) if basis.startswith("a") else None
        data["clause"] = self.clauses.get(basis[1:]) if basis.startswith("c") else None
        return data


def meeting_clauses(meeting):
    return (
        Clause.objects.filter(document__adopted_at=meeting).select_related("document").order_by("document_id", "number")
    )


def milestone_lines(text):
    """'YYYY-MM-DD title' per line → [(title, date)]; raises ValidationError naming the bad line."""
    milestones = []
    for number, line in enumerate(lines(text), start=1):
        day, _sep, title = line.partition(" ")
        try:
            due = datetime.date.fromisoformat(day)
        except ValueError:
            raise forms.ValidationError(
                _("Line %(number)d: start with the date as YYYY-MM-DD, then the milestone.") % {"number": number}
            )
        if not title.strip():
            raise forms.ValidationError(_("Line %(number)d: the milestone has no title.") % {"number": number})
        milestones.append((title.strip(), due))
    return milestones


class MatterFromDecisionForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it after the meeting and decision, e.g. HY1-3-1."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    sub_area = forms.ChoiceField(label=_("Sub-area"), required=False)
    lead_unit = UnitTreeChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(), empty_label=_("Please choose"))
    co_units = UnitTreeMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Units that deliver part of the matter and report their part."),
    )
    start_date = date_field(_("Start"))
    due_date = date_field(_("Due date"))
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    reporting_frequency = forms.ChoiceField(
        label=_("Reporting frequency"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the date as YYYY-MM-DD, a space, then the milestone."),
    )

    def __init__(self, *args, decision, **kwargs):
        super().__init__(*args, **kwargs)
        # The units that can lead or deliver part of a matter, as on supervision's form; one that did not take
        # part in the meeting gets the action's clear refusal.
        self.fields["lead_unit"].queryset = matter_units()
        self.fields["co_units"].queryset = matter_units()
        self.fields["sub_area"].choices = [("", "—")] + [
            (str(domain.label), [(area.value, area.label) for area in areas]) for domain, areas in SUB_AREAS.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("title", decision.text[:300])
            self.initial.setdefault("start_date", decision.meeting.date)

    def clean_milestones(self):
        return milestone_lines(self.cleaned_data["milestones"])
