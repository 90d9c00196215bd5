"""The review as a PDF, drawn by WeasyPrint from the same body as the page (``review/_body.html``) with
print styles; the charts are the page's inline SVG. WeasyPrint needs Debian's pango (README)."""

from __future__ import annotations

from django.template.loader import render_to_string

from ..selectors import Review
from .context import review_context


def review_html(review: Review) -> str:
    """The printable document: no scripts, no links out, nothing fetched (base_url is unused)."""
    return render_to_string("review/pdf.html", review_context(review))


def review_pdf(review: Review) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, only the PDF needs it

    pdf = HTML(string=review_html(review), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)
