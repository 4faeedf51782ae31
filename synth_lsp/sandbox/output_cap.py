"""Captured output of a run: the first bytes of stdout and stderr, and a count of what was cut."""

from __future__ import annotations


class OutputCap:
    """A print callback that keeps the first `limit` bytes of each stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.sizes: dict[str, int] = {"stdout": 0, "stderr": 0}
        self.dropped = 0

    def __call__(self, stream: str, text: str) -> None:
        stream = stream if stream in self.parts else "stdout"
        room = self.limit - self.sizes[stream]
        if room <= 0:
            self.dropped += len(text)
            return
        kept = text[:room]
        self.parts[stream].append(kept)
        self.sizes[stream] += len(kept)
        self.dropped += len(text) - len(kept)

    def text(self, stream: str) -> str:
        out = "".join(self.parts[stream])
        if self.dropped and self.sizes[stream] >= self.limit:
            out += f"\n... [output truncated: {self.dropped} more characters not captured]"
        return out
