"""The `synth-lsp` command: one module per subcommand (`check`, `new`, `walls`, `evolve`, `serve`),
argument parsing in `main`, and the report printer the commands share.

A thin shell: it may import every layer below it; `serve` hands over to the server package.
"""
