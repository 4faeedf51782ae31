# The identity seed: echoes the input grid. Run `synth-lsp evolve` on this file to evolve it.
# Examples: 007bbfb7.json beside this file (ARC-AGI-1 training task 007bbfb7).


def transform(inputs):
    grid = inputs["input_grid"]
    return {"output_grid": [row[:] for row in grid]}


result = transform(inputs)
