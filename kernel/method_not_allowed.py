"""A page, not an empty body, for an address opened that only takes a form submission.

Action URLs (``…/remove/``, ``…/approve/``) answer only POST; opened in the browser (a bookmark,
a reload after the session expired, a link pasted in chat) Django's answer is a bare 405 with an
empty body. This middleware keeps the 405 and its ``Allow`` header but renders templates/405.html,
which says what happened and leads back (to the page the visitor came from when it is one of
ours, else home). API paths are left alone: DRF answers them in JSON already.
"""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            isinstance(response, HttpResponseNotAllowed)
            and request.method in ("GET", "HEAD")
            and not request.path.startswith("/api/")
            and not response.content
        ):
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = ""
            page = render(request, "405.html", {"back": back}, status=405)
            page["Allow"] = response["Allow"]
            return page
        return response
