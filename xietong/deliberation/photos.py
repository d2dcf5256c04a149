"""Residents' photos: only real images, re-encoded so that EXIF (camera, time, GPS position) never reaches storage."""

import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2000


def reencode(uploaded):
    """A ContentFile holding the picture as a fresh JPEG without metadata; ValidationError if it is not one."""
    if uploaded.size > settings.CONCERN_PHOTO_MAX_BYTES:
        raise ValidationError(
            {
                "photo": _("The photo is %(size).1f MB; the limit is %(limit).0f MB.")
                % {"size": uploaded.size / 1048576, "limit": settings.CONCERN_PHOTO_MAX_BYTES / 1048576}
            }
        )
    try:
        uploaded.seek(0)
        image = Image.open(uploaded)
        image.verify()
        uploaded.seek(0)
        image = Image.open(uploaded)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("The file is not a photo we can read. Send a JPEG or PNG picture.")})
    # Turn the picture upright by its orientation tag before the tag is dropped with the rest.
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    name = os.path.splitext(os.path.basename(uploaded.name or "photo"))[0][:40] or "photo"
    return ContentFile(buffer.getvalue(), name=f"{name}.jpg")
