"""Issue 16, children die with their parent, at the lowest level: a Python child that arms
`die_with_parent`, and the Monty workers of a sandbox whose process is killed mid-run (SIGKILL:
no handler of the parent's runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from hardening_wire import descendants, wait_gone
from server_client import REPO

DIE_WITHIN_S = 3.0  # 2 s, with room for a busy machine


def start(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, stdout=subprocess.PIPE, text=True)


def wait_for_children(parent: subprocess.Popen, predicate, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tree = descendants(parent.pid)
        if predicate(tree):
            return tree
        time.sleep(0.1)
    raise AssertionError(f"children never came up: {descendants(parent.pid)}")


def test_a_python_child_that_arms_die_with_parent_dies_with_it():
    parent = start(
        """
        import subprocess, sys, time
        from synth_lsp.sandbox.child_lifetime import child_env
        child = "from synth_lsp.sandbox.child_lifetime import die_with_parent; die_with_parent(); import time; time.sleep(600)"
        subprocess.Popen([sys.executable, "-c", child], env=child_env())
        time.sleep(600)
        """
    )
    try:
        children = wait_for_children(parent, lambda tree: len(tree) == 1)
        time.sleep(1.0)  # the child is past its start-up and has armed the signal
        parent.send_signal(signal.SIGKILL)
        assert not wait_gone(children, DIE_WITHIN_S)
    finally:
        parent.kill()
        parent.wait(10)


def test_a_child_whose_parent_is_already_gone_exits_at_once():
    child = subprocess.run(
        [sys.executable, "-c", "from synth_lsp.sandbox.child_lifetime import die_with_parent; die_with_parent(1); print('alive')"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=30,
    )
    assert child.returncode == 1 and "alive" not in child.stdout


def test_sandbox_workers_running_a_loop_die_when_their_process_is_killed():
    parent = start(
        """
        from synth_lsp.core.runs import RunLimits
        from synth_lsp.sandbox.runner import Sandbox
        box = Sandbox(processes=3, one_checkout=False)  # a checkout per pair: several workers loop
        box.run_many("while True:\\n    pass\\n", [{}, {}, {}], RunLimits(time_s=60))
        """
    )
    try:
        workers = wait_for_children(parent, lambda tree: sum("monty" in cmd for cmd, _ in tree.values()) >= 2)
        time.sleep(0.5)
        parent.send_signal(signal.SIGKILL)
        assert not wait_gone(workers, DIE_WITHIN_S), "a sandbox worker outlived its process"
    finally:
        parent.kill()
        parent.wait(10)
