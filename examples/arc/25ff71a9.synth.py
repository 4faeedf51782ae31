# Synthesis script for 25ff71a9: it reads `inputs` and must assign `result`.
# Examples: 25ff71a9.json (paired by name; override with `# synth: examples = PATH`).
# Start: the identity seed, which echoes the input grid. Edit it, or run
#   synth-lsp evolve 25ff71a9.synth.py
# to evolve it.


def transform(grid):
    return [row[:] for row in grid]


result = {"output_grid": transform(inputs["input_grid"])}
