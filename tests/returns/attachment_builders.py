"""Files for the attachment tests: real first bytes of each allowed type, and a MEDIA_ROOT of
the test's own so what was stored on disk can be listed."""

from django.core.files.uploadedfile import SimpleUploadedFile

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def media_root(settings, tmp_path):
    """Point MEDIA_ROOT (the ``settings`` fixture: restored after the test) at ``tmp_path``."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name="defect.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
