import csv
import datetime as dt
import io

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.models import Unit, UnitKind

from .ingest import IngestError, decode
from .models import LEVEL_RANK, POLLUTANT_LABELS, WarningLevel
from .warning_rules import rules_in_force

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _read_upload(upload):
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(size)d MB; split it into several files.")
            % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    return upload.read()


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of the national feed"),
        help_text=gettext_lazy(
            "Columns stationcode, timepoint (hour ending, local time), so2, no2, pm10, pm2_5, co, o3."
        ),
    )

    def clean_file(self):
        return _read_upload(self.cleaned_data["file"])


class CityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class CitiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.display_name


class ForecastForm(forms.Form):
    city = CityChoiceField(label=gettext_lazy("City"), queryset=Unit.objects.none())
    day = forms.DateField(label=gettext_lazy("Day"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    # The ranges are the action's rules; the attributes only help the browser's number input.
    aqi = forms.IntegerField(
        label=gettext_lazy("Forecast daily AQI"), widget=forms.NumberInput(attrs={"min": 0, "max": 500})
    )
    aqi_low = forms.IntegerField(
        label=gettext_lazy("Lower end of the range"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 500}),
    )
    primary = forms.ChoiceField(
        label=gettext_lazy("Primary pollutant"),
        required=False,
        choices=[("", "—"), *((key, label) for key, label in POLLUTANT_LABELS.items())],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = Unit.objects.filter(pk__in=[c.pk for c in cities]).order_by("sort_order")


def find_city(name, cities):
    """A city by slug, full name, short name or the name without 市/市人民政府 (太原, 太原市, taiyuan)."""
    text = name.strip()
    for city in cities:
        names = {city.slug, city.name, city.short_name, city.name_en}
        base = city.name.replace("人民政府", "")
        names |= {base, base.removesuffix("市")}
        if text in {n for n in names if n}:
            return city
    return None


class ForecastImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of forecasts"),
        help_text=gettext_lazy("Columns city, date (YYYY-MM-DD), aqi, and optionally aqi_low, primary, note."),
    )

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.cities = list(cities)

    def clean_file(self):
        try:
            text = decode(_read_upload(self.cleaned_data["file"]))
        except IngestError as error:
            raise forms.ValidationError(error.message)
        reader = csv.DictReader(io.StringIO(text))
        fields = {(name or "").strip().lower() for name in reader.fieldnames or []}
        missing = [name for name in ("city", "date", "aqi") if name not in fields]
        if missing:
            raise forms.ValidationError(
                _("The first line must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        items, errors = [], []
        for row in reader:
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            line = reader.line_num
            city = find_city(row["city"], self.cities)
            if city is None:
                errors.append(
                    _("Line %(line)d: “%(city)s” is not a city you may forecast for.")
                    % {
                        "line": line,
                        "city": row["city"],
                    }
                )
                continue
            try:
                day = dt.date.fromisoformat(row["date"])
            except ValueError:
                errors.append(
                    _("Line %(line)d: “%(value)s” is not a date (YYYY-MM-DD).")
                    % {
                        "line": line,
                        "value": row["date"],
                    }
                )
                continue
            numbers = {}
            for key in ("aqi", "aqi_low"):
                value = row.get(key, "")
                if key == "aqi_low" and not value:
                    numbers[key] = None
                    continue
                if not value.isdigit():
                    errors.append(
                        _("Line %(line)d: the AQI “%(value)s” is not a whole number from 0 to 500.")
                        % {
                            "line": line,
                            "value": value,
                        }
                    )
                    break
                numbers[key] = int(value)
            else:
                # Ranges and the other rules are checked by the action, which names the line.
                items.append(
                    {
                        "line": line,
                        "city": city,
                        "day": day,
                        "primary": row.get("primary", ""),
                        "note": row.get("note", ""),
                        **numbers,
                    }
                )
        if errors:
            raise forms.ValidationError(errors[:20])
        if not items:
            raise forms.ValidationError(_("The file has a header but no forecasts."))
        return items


class IssueWarningForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Warning level"), choices=WarningLevel.choices)
    cities = CitiesField(label=gettext_lazy("Cities"), queryset=Unit.objects.none())
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Response starts"), input_formats=DATETIME_FORMATS, widget=DateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Expected end"), input_formats=DATETIME_FORMATS, widget=DateTimeInput(), required=False
    )
    reason = forms.CharField(label=gettext_lazy("Forecast and reason"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=gettext_lazy("Measures"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cities"].queryset = Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk")

    def clean(self):
        data = super().clean()
        starts_at, ends_at, level = data.get("starts_at"), data.get("ends_at"), data.get("level")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The expected end must be after the start."))
        if starts_at and level:
            rule_set = rules_in_force(starts_at)
            allowed = {entry["level"] for entry in rule_set.levels} if rule_set else set(LEVEL_RANK)
            if level not in allowed:
                self.add_error(
                    "level",
                    _("The rules in force on that date (%(rules)s) have no %(level)s level.")
                    % {"rules": rule_set.name, "level": WarningLevel(level).label},
                )
        return data


class ChangeLevelForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("New level"), choices=WarningLevel.choices)
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class LiftForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for lifting"), widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(forms.Form):
    level_seen = forms.ChoiceField(choices=WarningLevel.choices, required=False, widget=forms.HiddenInput)
