"""Checks on uploaded documents: the content decides what a file is, not its name."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
}
ALLOWED_DESCRIPTION = "a PDF, a Word document (.docx), or a PNG or JPEG image"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str
    original_name: str


def _sniff(head: bytes, stream: IO[bytes]) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def _image_is_whole(stream: IO[bytes]) -> bool:
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def check_upload(uploaded: object) -> CheckedUpload:
    """Refuse anything but the allowed types, judged by content; refuse empty or oversize files
    and names that disagree with the content (an .exe renamed .pdf)."""
    name = PurePath(getattr(uploaded, "name", "") or "document").name[:255]
    size = int(getattr(uploaded, "size", 0) or 0)
    limit = settings.CAREFILE_DOCUMENT_MAX_BYTES
    if size == 0:
        raise ValidationError({"file": ["The selected file is empty."]})
    if size > limit:
        raise ValidationError(
            {"file": [f"The selected file must be smaller than {limit // (1024 * 1024)} MB."]}
        )
    stream: IO[bytes] = uploaded  # type: ignore[assignment]
    stream.seek(0)
    head = stream.read(16)
    content_type = _sniff(head, stream)
    if content_type is None:
        raise ValidationError({"file": [f"The selected file must be {ALLOWED_DESCRIPTION}."]})
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS[content_type]:
        raise ValidationError(
            {
                "file": [
                    "The file's name does not match what it contains. Upload "
                    f"{ALLOWED_DESCRIPTION} with its usual ending."
                ]
            }
        )
    if content_type.startswith("image/") and not _image_is_whole(stream):
        raise ValidationError({"file": ["The selected image is damaged or incomplete."]})
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedUpload(content_type, size, digest.hexdigest(), name)
