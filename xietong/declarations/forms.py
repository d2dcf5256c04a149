from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import Unit, UnitKind
from xietong.regions.forms import PlaceField

from .models import SYMPTOMS, MeasureKind, Result, Tier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        parent = unit.parent.name if unit.parent_id and unit.kind == UnitKind.COMMUNITY else ""
        return f"{parent} · {unit.name}" if parent else unit.name


def units_of(kind):
    return Unit.objects.filter(kind=kind).select_related("parent").order_by("path")


class DeclarationForm(forms.Form):
    """The traveller's form. Every rule is the action's; the form only parses."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    arrival_date = forms.DateField(label=_("Arrival date"), widget=DATE)
    destination = PlaceField(label=_("Where you will stay (town or street)"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    community = UnitChoiceField(
        label=_("Community or village"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Found from the place when only one is registered there; otherwise choose it."),
    )
    employer = UnitChoiceField(label=_("Employer (if any)"), queryset=Unit.objects.none(), required=False)
    hotel = UnitChoiceField(label=_("Hotel (if any)"), queryset=Unit.objects.none(), required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms in the last 14 days"), choices=SYMPTOMS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = units_of(UnitKind.COMMUNITY)
        self.fields["employer"].queryset = units_of(UnitKind.ENTERPRISE)
        self.fields["hotel"].queryset = units_of(UnitKind.HOTEL)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("community") and cleaned.get("destination") is not None:
            cleaned["community"] = community_for(cleaned["destination"])
        return cleaned


def community_for(region):
    """The one community registered under the place (its town's unit names the region), or None."""
    towns = Unit.objects.filter(region__code__startswith=region.code[:9]).exclude(kind=UnitKind.CITY)
    if len(region.code) < 9:
        return None
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY, parent__in=towns)[:2])
    return communities[0] if len(communities) == 1 else None


class StopForm(forms.Form):
    place = PlaceField(label=_("Place (county or town)"), required=False)
    start = forms.DateField(label=pgettext_lazy("stop dates", "From"), widget=DATE, required=False)
    end = forms.DateField(label=_("To"), widget=DATE, required=False)
    transport = forms.CharField(
        label=pgettext_lazy("stop", "Transport"),
        max_length=60,
        required=False,
        help_text=_("Train or flight number, or car."),
    )

    def is_blank(self):
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(k) for k in ("place", "start", "end", "transport"))


StopFormSet = forms.formset_factory(StopForm, extra=3, max_num=10, absolute_max=10, validate_max=True)


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("Why do you need the full details?"), max_length=200)


class MeasureForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[c for c in Result.choices if c[0]], required=False)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    window_start = forms.DateField(label=_("Exposure window from"), widget=DATE)
    default_tier = forms.ChoiceField(
        label=_("Tier of entries without a heading"), choices=Tier.choices, initial=Tier.LISTED
    )
    areas_text = forms.CharField(
        label=_("Areas as published"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Paste the list, one area per line or separated by 、; "
            "a line may start with 高风险区：, 中风险区： or 低风险区：."
        ),
    )
    body = forms.CharField(label=_("Text of the notice"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class AmendForm(forms.Form):
    add_text = forms.CharField(label=_("Add areas"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlaceAreaForm(forms.Form):
    region = PlaceField(label=_("Division"))
    place = forms.CharField(label=_("Named place inside it"), max_length=300, required=False)


MEASURE_KINDS = MeasureKind
