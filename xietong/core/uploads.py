"""Files people attach (evidence, meeting papers): the formats the offices exchange, and nothing executable.

A file is judged by its content, not by its name: an .exe renamed .pdf, or a web page renamed .jpg, is
refused. Office files (.docx, .xlsx) are zip archives, and a small archive can unpack to gigabytes (a "zip
bomb"); their members are counted and their unpacked size bounded before anything opens them.
"""

import io
import os
import zipfile

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
    ".csv": "text/csv",
}

# Bounds for unpacking an Office archive. A real bulletin or register is a few dozen members and a few
# megabytes unpacked; a page of images stays far below both.
ARCHIVE_MAX_MEMBERS = 2000
ARCHIVE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Word 97–2003 and Excel 97–2003
# The member every Office Open XML package of each kind has (ECMA-376 Part 2, and the main part of Part 1).
OOXML_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
HEAD = 2048


def _is_pdf(head):
    # ISO 32000-1 7.5.2: the header comes first; readers accept it within the first 1024 bytes.
    return b"%PDF-" in head[:1024]


def _is_text(head):
    if b"\x00" in head:
        return False
    # Cut at the last line end, so a character split by the sample's edge is not taken for bad text.
    sample = head[: head.rfind(b"\n") + 1] if len(head) == HEAD and b"\n" in head else head
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        # A web page renamed .txt or .csv would be text, but not the text the offices exchange.
        return not text.lstrip().lower().startswith(("<!doctype", "<html", "<script", "<svg", "<?xml"))
    return False


SIGNATURES = {
    ".pdf": _is_pdf,
    ".jpg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    ".docx": lambda head: head.startswith(b"PK\x03\x04"),
    ".xlsx": lambda head: head.startswith(b"PK\x03\x04"),
    ".doc": lambda head: head.startswith(OLE2),
    ".xls": lambda head: head.startswith(OLE2),
    ".txt": _is_text,
    ".csv": _is_text,
}

KIND_NAMES = {
    ".pdf": "PDF",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".docx": "Word (.docx)",
    ".xlsx": "Excel (.xlsx)",
    ".doc": "Word (.doc)",
    ".xls": "Excel (.xls)",
    ".csv": "CSV",
}


def _kind(extension):
    return _("plain text") if extension == ".txt" else KIND_NAMES[extension]


def _head(uploaded):
    uploaded.seek(0)
    head = uploaded.read(HEAD)
    uploaded.seek(0)
    return head


def check_archive(uploaded, *, extension, name):
    """Refuse an Office archive that is broken, not of its kind, or would unpack beyond the bounds.

    Checked from the archive's central directory, which is all zipfile reads before unpacking; zipfile then
    never unpacks a member past the size declared there (it stops and reports a bad CRC), so the bounds
    hold for python-docx and openpyxl, which open the archive through zipfile.
    """
    not_of_kind = ValidationError(
        _("“%(name)s” is not a readable %(kind)s file.") % {"name": name, "kind": _kind(extension)}
    )
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise not_of_kind from None
    finally:
        uploaded.seek(0)
    too_large = ValidationError(
        _("“%(name)s” unpacks to more than the platform accepts; save it again without embedded files.")
        % {"name": name}
    )
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise too_large
    if sum(member.file_size for member in members) > ARCHIVE_MAX_UNPACKED_BYTES:
        raise too_large
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or OOXML_MAIN_PART[extension] not in names:
        raise not_of_kind


def open_archive(uploaded, name=None):
    """The uploaded .docx/.xlsx as a file for python-docx or openpyxl, after check_archive's bounds."""
    name = name or getattr(uploaded, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in OOXML_MAIN_PART:
        raise ValidationError(_("“%(name)s” is not a .docx or .xlsx file.") % {"name": name})
    check_archive(uploaded, extension=extension, name=name)
    uploaded.seek(0)
    return io.BytesIO(uploaded.read())


def validate_upload(uploaded, field):
    """Refuse a file of another type, whose content is not of its type, or over the size limit.

    Returns the content type that belongs to the file's extension (the one it is served with).
    """
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
    if not SIGNATURES[extension](_head(uploaded)):
        raise ValidationError(
            {
                field: _("The content of “%(name)s” is not a %(kind)s file; its name does not match what it holds.")
                % {"name": uploaded.name, "kind": _kind(extension)}
            }
        )
    if extension in OOXML_MAIN_PART:
        try:
            check_archive(uploaded, extension=extension, name=uploaded.name)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None
    return ALLOWED_TYPES[extension]
