"""Batch runs: many tasks evolved at once, on this machine or on a Ray cluster, with a report.

Pure logic and engines only (no terminal view: that is `synth_lsp.cli.batch_view`). It sits between
the command line and the workers: it imports the optimizer, the sandbox and the core.
"""
