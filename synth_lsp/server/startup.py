"""What the server does once the client is initialized: warm up off the loop, and register the
watcher for examples files changed outside the editor."""

from __future__ import annotations

import importlib
import logging

from lsprotocol import types

from synth_lsp.server.scheduler import RunScheduler
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)
WATCHER_ID = "synth-lsp-examples-watcher"

# Modules request handlers import on first use. Importing them here, on a worker thread right
# after start-up, keeps a first code lens or hover from stalling the event loop on the import
# (the population store pulls in pydantic: ~0.3-1 s). litellm is not among them.
LAZY_HANDLER_MODULES = ("synth_lsp.optimizer.population",)


def warm_up(runs: RunScheduler) -> None:
    """Pre-import the lazy modules and probe the sandbox's walls, so the first run is quick."""
    from synth_lsp.sandbox.walls import get_walls

    for name in LAZY_HANDLER_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:
            log.warning("could not pre-import %s: %s", name, exc)
    try:
        get_walls(runs.sandbox)
    except Exception as exc:
        log.warning("sandbox warm-up failed: %s", exc)


async def register_watcher(ls: SynthLanguageServer) -> None:
    watcher = types.FileSystemWatcher(glob_pattern="**/*.json")
    scripts = types.FileSystemWatcher(glob_pattern="**/*.synth.py")  # for workspace diagnostics
    registration = types.Registration(
        id=WATCHER_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher, scripts]),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        log.warning("could not register the examples file watcher: %s", exc)
