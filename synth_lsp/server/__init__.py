"""The language server: a thin pygls shell over the core (tasks, sandbox, evaluation).

Features live in small modules, each named for what it does; `server.py` wires them to LSP.
"""
