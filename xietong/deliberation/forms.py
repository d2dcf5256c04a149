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
