# Synthesis script for 0d3d703e: it reads `inputs` and must assign `result`.
# Examples: 0d3d703e.json (paired by name; override with `# synth: examples = PATH`).
# Start: the identity seed, which echoes the input grid. Edit it, or run
#   synth-lsp evolve 0d3d703e.synth.py
# to evolve it.


def transform(grid):
    return [row[:] for row in grid]


result = {"output_grid": transform(inputs["input_grid"])}
