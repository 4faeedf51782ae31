"""synth-lsp: program synthesis in the editor.

Layers, lowest first (docs/architecture.md): `core` (pure), `sandbox` and `offline`, `optimizer`,
`workers`, then the thin shells `server` and `cli`. Each imports only the layers below it.
"""

__version__ = "0.1.0"
