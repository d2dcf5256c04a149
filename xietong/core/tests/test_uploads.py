"""Uploads are judged by their content, and Office archives are bounded before anything unpacks them."""

import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xietong.core import uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
OLE = uploads.OLE2 + b"\x00" * 40


def _docx():
    document = docx.Document()
    document.add_paragraph("关于太忻大道建设进展情况的报告")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx():
    workbook = openpyxl.Workbook()
    workbook.active.append(["编号", "标题"])
    workbook.active.append(["DB-2026-001", "太忻大道建设"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def check(name, content):
    return uploads.validate_upload(SimpleUploadedFile(name, content), "file")


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("验收单.pdf", PDF, "application/pdf"),
        ("验收单.pdf", b"\n\n" + PDF, "application/pdf"),  # a header after a few stray bytes, as readers allow
        ("现场.png", PNG, "image/png"),
        ("现场.JPG", JPEG, "image/jpeg"),
        ("现场.jpeg", JPEG, "image/jpeg"),
        ("进展报告.docx", _docx(), uploads.ALLOWED_TYPES[".docx"]),
        ("台账.xlsx", _xlsx(), uploads.ALLOWED_TYPES[".xlsx"]),
        ("旧报告.doc", OLE, "application/msword"),
        ("旧台账.xls", OLE, "application/vnd.ms-excel"),
        ("说明.txt", "已完成路基施工。\n".encode(), "text/plain"),
        ("说明.txt", "已完成路基施工。\n".encode("gb18030"), "text/plain"),
        ("监测.csv", "\ufeff站点,PM2.5\n1001A,35\n".encode(), "text/csv"),
        ("empty.txt", b"", "text/plain"),
    ],
)
def test_files_whose_content_matches_their_name_are_accepted(name, content, content_type):
    assert check(name, content) == content_type


@pytest.mark.parametrize(
    "name, content",
    [
        ("验收单.pdf", EXE),  # a program renamed .pdf
        ("现场.jpg", HTML),  # a web page renamed .jpg
        ("现场.jpg", PNG),  # another picture format under the wrong name
        ("现场.png", JPEG),
        ("说明.txt", HTML),
        ("说明.txt", EXE),
        ("监测.csv", b"\x00\x01\x02binary"),
        ("报告.docx", PDF),
        ("报告.doc", _docx()),
        ("验收单.pdf", b""),
    ],
)
def test_content_of_another_kind_is_refused_in_plain_chinese(name, content):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check(name, content)
    message = error.value.message_dict["file"][0]
    assert f"“{name}”的内容不是" in message and "文件名与实际内容不符" in message


@pytest.mark.parametrize(
    "name, content",
    [
        ("报告.docx", _xlsx()),  # a workbook renamed .docx
        ("台账.xlsx", _docx()),
        ("报告.docx", _zip([("readme.txt", b"not office")])),  # any zip renamed .docx
        ("报告.docx", _docx()[: len(_docx()) // 2]),  # cut off in transfer: no central directory
    ],
)
def test_archives_that_are_not_the_office_file_they_claim_are_refused(name, content):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check(name, content)
    assert f"“{name}”不是可读取的" in error.value.message_dict["file"][0]


def _office_bomb(**member):
    """A .docx that is real on the outside, with one more member as given."""
    members = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]
    return _zip([*members, *member.items()])


def test_an_archive_unpacking_beyond_the_bound_is_refused_before_anything_opens_it():
    # 201 MiB of zeros deflate to about 200 KB: a small upload that would fill memory when opened.
    bomb = _office_bomb(**{"word/media/image1.bin": bytes(201 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check("进展报告.docx", bomb)
    assert "解压后超出平台可接受的大小" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        uploads.open_archive(SimpleUploadedFile("进展报告.docx", bomb))


def test_an_archive_of_too_many_members_is_refused():
    members = [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]
    members += [(f"xl/worksheets/sheet{i}.xml", b"") for i in range(uploads.ARCHIVE_MAX_MEMBERS)]
    with pytest.raises(ValidationError):
        check("台账.xlsx", _zip(members, zipfile.ZIP_STORED))


def test_a_member_larger_than_its_header_says_is_never_unpacked_past_it():
    # The central directory claims 100 bytes; the member really holds 10 MB. The bound is checked on the
    # claim, and zipfile stops at the claimed size and reports the archive as corrupt.
    real = _office_bomb(**{"word/media/image1.bin": bytes(10 * 1024 * 1024)})
    lying = bytearray(real)
    entry = lying.rfind(b"PK\x01\x02")  # the last central directory entry: the member written last
    lying[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # uncompressed size in the directory
    archive = uploads.open_archive(SimpleUploadedFile("进展报告.docx", bytes(lying)))
    with zipfile.ZipFile(archive) as opened, pytest.raises(zipfile.BadZipFile):
        opened.read("word/media/image1.bin")


def test_open_archive_hands_python_docx_and_openpyxl_a_file_they_read():
    document = docx.Document(uploads.open_archive(SimpleUploadedFile("进展报告.docx", _docx())))
    assert document.paragraphs[0].text == "关于太忻大道建设进展情况的报告"
    workbook = openpyxl.load_workbook(uploads.open_archive(SimpleUploadedFile("台账.xlsx", _xlsx())))
    assert workbook.active["B2"].value == "太忻大道建设"
    with pytest.raises(ValidationError):
        uploads.open_archive(SimpleUploadedFile("台账.pdf", PDF))
