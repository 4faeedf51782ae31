"""The Monty sandbox, the only place a synthesis script runs: the runner and its pool of workers,
the session cache, error mapping, output capture, the watchdog that stops superseded runs, the
probed walls and the static checks made before running.

It imports the core (the types of a run) and pydantic-monty; nothing above it.
"""
