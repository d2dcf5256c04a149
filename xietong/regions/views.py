"""The division lookup page and the JSON the place picker reads.

Division names and codes are public data (published by the statistics bureau): these pages need
no login and show nothing else.
"""

from django import forms
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .forms import PlaceField, ambiguous_candidates
from .models import Level
from .resolver import get_index
from .resolver import search as search_divisions

SEARCH_LIMIT = 20


class LookupForm(forms.Form):
    place = PlaceField(label=gettext_lazy("Place"))


@require_GET
def lookup(request):
    bound = "place" in request.GET or "place_code" in request.GET
    form = LookupForm(request.GET if bound else None)
    index = get_index()
    context = {"form": form, "region": None, "candidates": []}
    if bound and form.is_valid():
        code = form.cleaned_data["place"].code
        node = index.nodes[code]
        context.update(
            # The picker shows what the text was read as: full name, code, the lists set to it.
            form=LookupForm(initial={"place": code}),
            region=node,
            level=Level(node.level).label,
            ancestors=[index.nodes[c] for c in index.lineage(code)[:-1]],
            children=[index.nodes[c] for c in index.picker_children(code)],
        )
    elif bound:
        context["candidates"] = [index.nodes[c] for c in ambiguous_candidates(form, "place")]
    return render(request, "regions/lookup.html", context)


@require_GET
def children(request):
    index = get_index()
    parent = request.GET.get("parent") or None
    if parent is not None and (parent not in index.nodes or index.nodes[parent].placeholder):
        return JsonResponse({"detail": _("No division has the code “%(code)s”.") % {"code": parent}}, status=404)
    return JsonResponse(
        {
            "parent": index.as_dict(parent) if parent else None,
            "results": [index.as_dict(c) for c in index.picker_children(parent)],
        }
    )


@require_GET
def search(request):
    index = get_index()
    query = request.GET.get("q", "")
    return JsonResponse(
        {"query": query, "results": [index.as_dict(node.code) for node in search_divisions(query, SEARCH_LIMIT)]}
    )
