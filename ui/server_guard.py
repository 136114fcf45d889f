"""The server's own guard, an ASGI middleware in front of Streamlit (``serve.py`` installs it).

Streamlit 1.67 has no setting for either hole it closes:

* ``/_stcore/metrics`` answers anyone, signed in or not, with cache names and sizes: it answers 404.
* A ``clear_cache`` message over the WebSocket empties every ``st.cache_data`` and
  ``st.cache_resource`` for every user (and the sign-in brake with them); the menu item that sends it
  is hidden by ``client.toolbarMode = "minimal"``, but any script can still send the message. The
  guard drops it, logged, before Streamlit sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg

LOG = logging.getLogger(__name__)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CLOSED_PATHS = ("/_stcore/metrics",)
STREAM_PATH = "/_stcore/stream"


def is_clear_cache(frame: bytes) -> bool:
    """Whether a WebSocket frame is a ``clear_cache`` BackMsg (frames that do not parse are left to Streamlit).

    Examples
    --------
    >>> is_clear_cache(BackMsg(clear_cache=True).SerializeToString())
    True
    >>> is_clear_cache(BackMsg(app_heartbeat=True).SerializeToString()), is_clear_cache(b"\\xff")
    (False, False)
    """
    message = BackMsg()
    try:
        message.ParseFromString(frame)
    except Exception:  # Streamlit itself closes the connection on a malformed frame
        return False
    return message.WhichOneof("type") == "clear_cache"


class ServerGuard:
    """ASGI middleware: 404 for ``CLOSED_PATHS``; ``clear_cache`` messages dropped from WebSockets."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and path.endswith(CLOSED_PATHS):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Not found"})
            return
        if scope["type"] == "websocket" and path.endswith(STREAM_PATH):
            receive = _without_cache_clearing(receive, scope.get("client"))
        await self.app(scope, receive, send)


def _without_cache_clearing(receive: Receive, client: object) -> Receive:
    async def guarded_receive() -> Message:
        while True:
            message = await receive()
            frame = message.get("bytes") if message["type"] == "websocket.receive" else None
            if frame and is_clear_cache(frame):
                LOG.warning("Dropped a clear_cache message from %s: cache clearing is off on this server", client)
                continue
            return message

    return guarded_receive
