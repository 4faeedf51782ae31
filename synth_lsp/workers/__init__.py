"""Evolution in worker processes: the worker (`python -m synth_lsp.workers.evolution_worker`), the
asyncio driver a parent uses to run and stop it, and the JSON-lines protocol both ends share.

It may import the optimizer, the sandbox and the core; never the CLI or the server (no LSP here).
"""
