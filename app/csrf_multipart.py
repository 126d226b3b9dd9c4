"""Stop-gap: make asgi-csrf's multipart check work with python-multipart >= 0.0.26.

asgi-csrf 0.11 (the latest release) builds `FormParser(..., FileClass=...)`, an argument
python-multipart 0.0.26 removed (simonw/asgi-csrf#38, fix proposed in #39); going back to an older
python-multipart is not an option (CVE-2026-40347). So every multipart form posted by a browser
without JavaScript - the participant import upload - crashed with a 500. htmx requests were not
affected: they carry the token in the `x-csrftoken` header, checked before the body.

`install()` replaces the one helper asgi-csrf uses to find the token in a multipart body with a
version written for the new API, keeping its rule: the `csrftoken` field must come before any file
(a file part first fails the check). Installed by `CSRFProtect` in app/main.py. Delete it once
asgi-csrf is fixed.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import asgi_csrf
from python_multipart import FormParser

Receive = Callable[[], Awaitable[dict[str, Any]]]


class _TokenFound(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


async def parse_multipart_token(boundary: bytes, receive: Receive) -> tuple[str | None, Receive]:
    """(csrftoken, replay_receive), or asgi_csrf.FileBeforeToken when a file part comes first."""
    messages: list[dict[str, Any]] = []

    def on_field(field: Any) -> None:
        if field.field_name == b"csrftoken":
            raise _TokenFound((field.value or b"").decode("utf-8", "replace"))

    def on_file(_file: Any) -> None:
        raise asgi_csrf.FileBeforeToken

    async def replay_receive() -> dict[str, Any]:
        return messages.pop(0) if messages else await receive()

    parser = FormParser("multipart/form-data", on_field, on_file, boundary=boundary)
    more_body = True
    try:
        while more_body:
            message = await receive()
            messages.append(message)
            parser.write(message.get("body", b""))
            more_body = message.get("more_body", False)
    except _TokenFound as found:
        return found.token, replay_receive
    return None, replay_receive


def install() -> None:
    """Use `parse_multipart_token` in asgi-csrf when its own parser cannot run."""
    try:
        FormParser("multipart/form-data", None, None, boundary=b"x", FileClass=object)  # type: ignore[call-arg]
    except TypeError:
        asgi_csrf._parse_multipart_form_data = parse_multipart_token  # type: ignore[attr-defined]
