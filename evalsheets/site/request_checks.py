"""What a request body must be before any view reads it, and the page that says why not.

* ``Utf8FormMiddleware``: form data (URL-encoded or multipart) must be UTF-8. Django
  decodes it with ``errors="replace"``, so bytes that are not UTF-8 would silently be
  stored as 「���」; the middleware refuses such a request with a Japanese 400 page
  before any view or form sees it. A U+FFFD that someone typed (sent as valid UTF-8)
  is an ordinary character and passes.
* ``bad_request`` (``handler400``): Django's refusals of a body — larger than
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), more fields than
  ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, more files than ``DATA_UPLOAD_MAX_NUMBER_FILES`` — and
  any other bad request answer a Japanese page naming the reason, never a 500.
"""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REPLACEMENT = "\ufffd"
REPLACEMENT_BYTES = REPLACEMENT.encode()


class InvalidUtf8(Exception):
    pass


def _check_urlencoded(body: bytes) -> None:
    """Every name and value, once percent-decoded, is valid UTF-8."""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidUtf8 from exc


def _decoded_replacements(request) -> int:
    """U+FFFD in the parsed names and values of a multipart form (files not counted)."""
    count = 0
    for key, values in request.POST.lists():
        count += key.count(REPLACEMENT) + sum(v.count(REPLACEMENT) for v in values)
    return count


def _check_multipart(request) -> None:
    """More U+FFFD after Django's decoding than the raw body holds: some came from bytes
    that are not UTF-8. A body too large to keep in memory (a file upload) is not read
    again: any U+FFFD in its text fields counts as decoded."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or length <= limit:
        raw = request.body.count(REPLACEMENT_BYTES)  # cached: POST is parsed from it
    else:
        raw = 0
    if _decoded_replacements(request) > raw:
        raise InvalidUtf8


def _error_page(request, message: str, status: int):

    body = loader.render_to_string("400.html", {"message": message, "status": status})
    return HttpResponse(body, status=status)


class Utf8FormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            content_type = request.content_type or ""
            try:
                if content_type == FORM_TYPES[0]:
                    _check_urlencoded(request.body)
                elif content_type == FORM_TYPES[1]:
                    _check_multipart(request)
            except InvalidUtf8:
                return _error_page(
                    request,
                    _(
                        "送信された文字に、文字コード（UTF-8）として正しくないものが含まれていました。"
                        "内容は保存していません。前の画面に戻り、入力し直してから送信してください。"
                    ),
                    400,
                )
        return self.get_response(request)


def bad_request(request, exception=None):
    """``handler400``: the reason in Japanese; a body over the size limit is a 413."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        message = _(
            "送信された内容が大きすぎます（上限 %(mb)s MB）。内容は保存していません。"
            "文章を短くするか、分けて送信してください。"
        ) % {"mb": f"{limit / (1024 * 1024):,.1f}".removesuffix(".0")}
        return _error_page(request, message, 413)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _("送信された項目が多すぎます。内容は保存していません。")
    else:
        message = _("送信された内容を受け付けられませんでした。内容は保存していません。")
    return _error_page(request, message, 400)
