"""Small real files for the upload tests: a one-page PDF (with a correct cross-reference table),
a PPTX and an ODP package (zip archives with the members their formats require)."""

from __future__ import annotations

import io
import zipfile


def pdf(text: str = "AIGO challenge") -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed date, so the same package is the same bytes every time."""
    return zipfile.ZipInfo(name, date_time=(2019, 5, 20, 10, 0, 0))


def pptx() -> bytes:
    """A PPTX package's skeleton: ``[Content_Types].xml`` and the ``ppt/`` part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_member("[Content_Types].xml"), '<?xml version="1.0"?><Types/>')
        archive.writestr(_member("ppt/presentation.xml"), '<?xml version="1.0"?><p:presentation/>')
    return buffer.getvalue()


def odp(mimetype: str = "application/vnd.oasis.opendocument.presentation") -> bytes:
    """An OpenDocument package whose first member ``mimetype`` (stored) says ``mimetype``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_member("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(_member("content.xml"), '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()
