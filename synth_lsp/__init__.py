"""synth-lsp: program synthesis in the editor.

The pure core (tasks, sandbox, scoring, optimizer) knows nothing of LSP; the
language server, the CLI and the VS Code extension are thin shells over it.
"""

__version__ = "0.1.0"
