"""Wiring: `create_server()` builds a fresh server object, its scheduler, publisher and evolution
feature, and registers the handlers on it. Nothing is built at import time."""

from __future__ import annotations

from synth_lsp.server import handlers, inline_values
from synth_lsp.server.background import BackgroundTasks
from synth_lsp.server.evolution.offers import Offers
from synth_lsp.server.evolution.population_cache import PopulationCache
from synth_lsp.server.evolution.workers import Workers
from synth_lsp.server.evolution_host import ServerEvolutionHost
from synth_lsp.server.publisher import Publisher
from synth_lsp.server.quick_fix import QuickFixes
from synth_lsp.server.scheduler import RunScheduler
from synth_lsp.server.server import SynthLanguageServer
from synth_lsp.server.workspace_diagnostics import WorkspaceDiagnostics


def create_server() -> SynthLanguageServer:
    ls = SynthLanguageServer()
    tasks = BackgroundTasks()
    publisher = Publisher(ls)
    host = ServerEvolutionHost(ls, tasks)
    cache = PopulationCache()  # shared: what is offered and what a save adds read the same file
    workers = Workers(host, cache)
    publisher.after_publish.append(workers.on_published)  # a saved version joins the population
    runs = RunScheduler(ls, publisher, tasks)
    quick_fixes = QuickFixes(host)
    ls.lifetime.on_exit(quick_fixes.kill_all)
    values = inline_values.InlineValues(ls, runs, tasks)
    publisher.after_publish.append(values.on_published)  # values follow the published diagnostics
    # on the way out: evolution workers first (they are processes), then the runs and their sandbox
    ls.lifetime.on_exit(workers.kill_all)
    ls.lifetime.on_exit(runs.shutdown)
    workspace = WorkspaceDiagnostics(ls, runs, publisher)
    ls.lifetime.on_exit(workspace.stop)
    parts = handlers.ServerParts(
        ls=ls,
        tasks=tasks,
        runs=runs,
        publisher=publisher,
        offers=Offers(host, cache),
        workers=workers,
        quick_fixes=quick_fixes,
        values=values,
        workspace=workspace,
    )
    handlers.register(parts)
    inline_values.register(ls, values)
    return ls
