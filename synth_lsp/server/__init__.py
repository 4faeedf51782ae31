"""The language server: LSP over the core (tasks, sandbox, evaluation), the optimizer (imported lazily)
and the evolution worker processes (`synth_lsp.workers`); it may import everything below it, and it
is the only package that imports pygls or lsprotocol. `app.create_server()` wires it together.
"""
