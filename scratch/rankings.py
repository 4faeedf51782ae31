"""Analysis only: pass@1 on the dev half under other orders of the fits the keeper held (rows from kept_fits.py all)."""

import json
import sys

rows = json.load(open(sys.argv[1]))
# row: i, correct, right, claimed, conf, steps, learned, held_out, lowcap, rivals, entries, cells, text
RULES = {
    "current (claimed, confidence, order found)": lambda r, n: (r[1] != n, not r[3], -r[4], r[0]),
    "ties by description length": lambda r, n: (r[1] != n, not r[3], -r[4], r[10], r[5], r[0]),
    "cross-validated before not": lambda r, n: (r[1] != n, not r[3], r[6] and r[7] < n, -r[4], r[0]),
    "fewer learned entries first": lambda r, n: (r[1] != n, not r[3], r[10], r[5], r[0]),
    "fewer steps first": lambda r, n: (r[1] != n, not r[3], r[5], r[10], r[0]),
    "parameter-free partial before memorised full": lambda r, n: (r[1] != n and not (not r[6] and r[1] == n - 1 and n >= 3), not r[3],
                                                              r[6] and r[7] == 0 and r[1] == n, -r[4], -r[1], r[0]),
    "oracle (any kept fit right)": lambda r, n: (not r[2], r[0]),
    "oracle (any kept full fit right)": lambda r, n: (r[1] != n or not r[2], r[0]),
}
base = {t: (rs and rs[0][2]) for t, n, rs in rows}
for name, key in RULES.items():
    firsts = {t: sorted(rs, key=lambda r: key(r, n))[0] if rs else None for t, n, rs in rows}
    ok = {t for t, f in firsts.items() if f and f[2]}
    gained = sorted(t for t in ok if not base[t])
    lost = sorted(t for t, b in base.items() if b and t not in ok)
    print(f"{name:48} pass@1 {len(ok)}/{len(rows)}  gained {gained} lost {lost}")
multi = [(t, n, rs) for t, n, rs in rows if sum(r[1] == n for r in rs) >= 2]
print(f"tasks with two or more full fits kept: {len(multi)}; with a right and a wrong one: "
      f"{sum(any(r[2] for r in rs if r[1] == n) and any(not r[2] for r in rs if r[1] == n) for t, n, rs in multi)}")
