"""Errors the actions of every app raise besides Django's own."""

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The object changed since the person loaded it; their edit would overwrite someone else's (409)."""
