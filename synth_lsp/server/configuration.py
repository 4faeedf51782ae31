"""Settings from the client: initializationOptions, `workspace/didChangeConfiguration`, and a
`workspace/configuration` pull when the client advertises it (see docs/protocol.md)."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from synth_lsp.server import settings as settings_mod
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)


def apply_settings(ls: SynthLanguageServer, payload: Any) -> bool:
    """Merge a settings payload; returns True when something that affects runs changed."""
    before = ls.settings
    ls.settings, problems = settings_mod.merge(ls.settings, payload)
    for problem in problems:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"synth-lsp: {problem}"))
    return (before.time_limit, before.memory_limit_mb) != (ls.settings.time_limit, ls.settings.memory_limit_mb)


async def pull_configuration(ls: SynthLanguageServer) -> bool:
    """Ask the client for the section (when it can answer); True when runs are affected."""
    if not ls.supports_configuration():
        return False
    try:
        items = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=settings_mod.SECTION)])
        )
    except Exception as exc:  # a client that advertises but fails: keep what we have
        log.warning("workspace/configuration failed: %s", exc)
        return False
    return apply_settings(ls, items[0] if items else None)
