"""Reference scripts the tests share (known answers, written by hand)."""

# 007bbfb7: a copy of the 3x3 input in each cell of a 3x3 layout where the input cell is filled
FRACTAL_TRANSFORM_007BBFB7 = """def transform(grid):
    n = len(grid)
    out = [[0] * (n * n) for _ in range(n * n)]
    for R in range(n):
        for C in range(n):
            if grid[R][C]:
                for r in range(n):
                    for c in range(n):
                        out[R * n + r][C * n + c] = grid[r][c]
    return out
"""
FRACTAL_007BBFB7 = FRACTAL_TRANSFORM_007BBFB7 + """

result = {"output_grid": transform(inputs["input_grid"])}
"""

# the identity seed: echoes the input grid
IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
