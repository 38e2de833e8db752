"""Code128 barcodes for labels and slips (R-U2), drawn by python-barcode."""

import io

import barcode
from barcode.writer import ImageWriter, SVGWriter

WRITERS = {"svg": SVGWriter, "png": ImageWriter}
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
OPTIONS = {"module_height": 12.0, "font_size": 8, "text_distance": 4.0, "quiet_zone": 4.0}


def code128(payload, fmt="svg"):
    """The barcode of ``payload`` as SVG or PNG bytes."""
    symbol = barcode.get("code128", payload, writer=WRITERS[fmt]())
    buffer = io.BytesIO()
    symbol.write(buffer, options=OPTIONS)
    return buffer.getvalue()


def code128_inline_svg(payload):
    """The SVG element alone, to embed in an HTML page."""
    svg = code128(payload, "svg").decode()
    return svg[svg.index("<svg") :]
