# Synthesis script for 3c9b0459: it reads `inputs` and must assign `result`.
# Examples: 3c9b0459.json (paired by name; override with `# synth: examples = PATH`).
# Start: the identity seed, which echoes the input grid. Edit it, or run
#   synth-lsp evolve 3c9b0459.synth.py
# to evolve it.


def transform(grid):
    return [row[:] for row in grid]


result = {"output_grid": transform(inputs["input_grid"])}
