"""The background population in the editor: evolution workers per script, their progress, and the
population's candidates offered back as code actions, a lens and commands.

Evolution runs in a worker process per script (`synth_lsp.workers.evolution_process`), never on the
server's loop or threads. The population is the file stored beside the script, so after a restart
the code actions are there again without re-running anything, and a new worker resumes from it.

This package talks to the language server only through `host.EvolutionHost`; it never imports
the server class.
"""
