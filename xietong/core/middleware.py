"""Middleware of the platform's own."""

from django.http import Http404
from django.urls import Resolver404, get_resolver
from django.views.defaults import page_not_found


class SiteNotFoundPage:
    """With DEBUG on (`make run`), a wrong address still gets the site's own 404 page, in the reader's language.

    Django's debug 404 page lists every URL pattern of the platform; a new user trying `make run` should meet
    the page production shows. Installed only while DEBUG is on (settings.py): without DEBUG, Django already
    answers with the 404.html template. It sits after CommonMiddleware, so an address missing only its final
    slash is still redirected rather than refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
        except Resolver404 as missing:
            return page_not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
