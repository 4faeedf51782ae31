"""After a worker crashed: offer to restart it (a failure that a restart would repeat is reported
by the worker lifecycle instead, with what to fix)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from lsprotocol import types

from synth_lsp.server.evolution.host import EvolutionHost

RESTART_ACTION = "Restart evolution"


async def offer_restart(host: EvolutionHost, reason: str, restart: Callable[[], Awaitable[Any]]) -> None:
    message = f"synth-lsp: evolution stopped with an error: {reason}"
    try:
        choice = await host.show_message_request(types.MessageType.Error, message, [RESTART_ACTION])
    except Exception:
        return  # the client cannot ask, or went away
    if choice == RESTART_ACTION:
        await restart()
