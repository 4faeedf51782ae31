"""Analysis only (never part of the model): every full fit the keeper holds, checked on the test outputs on the host.

    python scratch/kept_fits.py CSV [TASK ...]   # dev tasks whose first fit is wrong on test in CSV (or the given ones)
"""

import csv
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from offline_arc import half_of  # noqa: E402

from synth_lsp.offline.confidence import claimed, confidence, learned_entries  # noqa: E402
from synth_lsp.offline.search import search_programs  # noqa: E402
from synth_lsp.offline.steps import describe, run_steps  # noqa: E402

DATA = Path("/work/shared/arc/ARC-AGI-1/training")


def one(task: str):
    data = json.loads((DATA / f"{task}.json").read_text())
    train = [(p["input"], p["output"]) for p in data["train"]]
    n = len(train)
    found = search_programs(train, [], time_budget_s=4.0, max_programs=60, clock=time.process_time)
    rows = []
    for i, f in enumerate(found):
        right = all(run_steps(f.steps, p["input"]) == p["output"] for p in data["test"])
        learned = f.held_out >= 0
        rows.append((i, f.correct, right, claimed(f, n), confidence(f, n), len(f.steps), learned, f.held_out, f.low_capacity, f.rivals,
                     learned_entries(f.steps[-1]) if learned else 0, f.cell_score, describe(f.steps)[:110]))
    return task, n, rows


def main():
    tasks = sys.argv[2:]
    if tasks == ["all"]:
        tasks = sorted(p.stem for p in DATA.glob("*.json") if half_of(p.stem) == "dev")
    elif not tasks:
        with open(sys.argv[1]) as fh:
            tasks = [r["task"] for r in csv.DictReader(fh) if r["half"] == "dev" and r["train_fit"].split("/")[0] == r["train_fit"].split("/")[1]
                     and r["test_correct"] != "True"]
    assert all(half_of(t) == "dev" for t in tasks), "dev half only"
    json_rows = []
    with Pool(2) as pool:
        for task, n, rows in pool.imap(one, tasks):
            full = [r for r in rows if r[1] == n]
            print(f"== {task} ({n} pairs) fits kept {len(full)}; right among them: {sum(r[2] for r in full)}; partial right: {sum(r[2] for r in rows if r[1] < n)}")
            for r in rows:
                print(f"  #{r[0]} correct={r[1]} right={r[2]!s:5} claimed={r[3]!s:5} conf={r[4]:.2f} steps={r[5]} learned={r[6]!s:5} held_out={r[7]} "
                      f"lowcap={r[8]!s:5} rivals={r[9]} entries={r[10]} cells={r[11]:.3f} | {r[12]}", flush=True)
            json_rows.append([task, n, rows])
    Path(sys.argv[1] + ".rows.json").write_text(json.dumps(json_rows)) if sys.argv[2:] == ["all"] else None


if __name__ == "__main__":
    main()
