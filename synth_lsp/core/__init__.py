"""The pure core: tasks and example pairs, the script header, schemas, scoring and diffs, what a run
yields, evaluation of a script on a task, grid rendering, JSON spans and the examples layout.

It imports only the standard library and plain data libraries: nothing of the sandbox's pool, the
optimizer, the workers, the CLI or the server (a sandbox reaches evaluation as a `Runner` value).
"""
