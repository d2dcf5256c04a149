"""Files people attach (evidence, meeting papers): the formats the offices exchange, and nothing executable."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain",
}


def validate_upload(uploaded, field):
    """Refuse a file of another type or over the size limit; returns its content type otherwise."""
    extension = os.path.splitext(uploaded.name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            {
                field: _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
                % {"name": uploaded.name, "types": ", ".join(sorted(ALLOWED_TYPES))}
            }
        )
    if uploaded.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: _("“%(name)s” is %(size).1f MB; the limit is %(limit).0f MB.")
                % {"name": uploaded.name, "size": uploaded.size / 1048576, "limit": settings.UPLOAD_MAX_BYTES / 1048576}
            }
        )
    return ALLOWED_TYPES[extension]
