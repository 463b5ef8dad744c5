from kohoshi.newsletters.links import site_url

FONT_SIZES = ("s", "m", "l", "xl")
DEFAULT_FONT_SIZE = "m"


def reader_settings(request):
    """Reader settings kept in a cookie (no account): the page is rendered at the chosen size
    from the first byte, so nothing jumps when the page loads."""
    size = request.COOKIES.get("kh_font", DEFAULT_FONT_SIZE)
    contrast = request.COOKIES.get("kh_contrast", "normal")
    return {
        "reader_font": size if size in FONT_SIZES else DEFAULT_FONT_SIZE,
        "reader_font_sizes": FONT_SIZES,
        "reader_contrast": "high" if contrast == "high" else "normal",
        "site_url": site_url(request),
    }
