"""Coroutines the server runs beside its handlers (runs, evolution workers, prompts).

asyncio keeps only a weak reference to a task, so each is held here until it is done.
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
