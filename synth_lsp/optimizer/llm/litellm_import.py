"""litellm, imported once, only when a model is really about to be called (the import takes
seconds), offline and quiet: `LITELLM_OFFLINE_MODE=true` first (otherwise the import fetches a
price map over the network) and its banners off (they go to stdout, which is the language
server's protocol channel)."""

from __future__ import annotations

import os
from typing import Any

_litellm: Any = None


def import_litellm() -> Any:
    global _litellm
    if _litellm is None:
        os.environ["LITELLM_OFFLINE_MODE"] = "true"  # only the word `true` works
        import litellm

        litellm.suppress_debug_info = True
        litellm.set_verbose = False
        _litellm = litellm
    return _litellm
