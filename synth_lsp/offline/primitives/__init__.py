"""Grid primitives of the offline model (being split by topic; for now all live in `parts`)."""

from synth_lsp.offline.primitives.parts import *  # noqa: F401,F403
