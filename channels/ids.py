"""What a conversation (sender) id may hold, for every channel.

An id ends up in log lines, tracker-store keys and SQL rows: control characters (NUL included)
forge log lines or break a store, and a lone surrogate cannot even be encoded. No client or
platform needs them in an id, so a channel refuses such an id (REST: HTTP 400; the messaging
platforms: the update is dropped, with a log line that names the platform only).
"""

from __future__ import annotations

import re

# C0 controls (NUL included), DEL, C1 controls and lone UTF-16 surrogates.
UNSAFE_ID_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def is_safe_id(sender_id: str) -> bool:
    """No control character and no broken unicode in the id."""
    return UNSAFE_ID_CHARS.search(sender_id) is None
