"""The entry point of one offline search worker process (`python -m synth_lsp.offline.search_worker`).

Kept apart from `pool` so that running it does not import the module it runs (see `pool.work_main`).
"""

from synth_lsp.offline.pool import work_main

if __name__ == "__main__":
    work_main()
