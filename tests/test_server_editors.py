"""The editor snippets of docs/editors.md, run verbatim in real editors (headless): Neovim 0.7+
and Emacs with eglot. Skipped when the editor is not installed (apt-get install neovim
emacs-nox elpa-eglot)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "editors.md"
IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
SPIN = "while True:\n    pass\n"

pytestmark = pytest.mark.e2e


def snippet(language: str) -> str:
    """The first fenced block of `language` in docs/editors.md."""
    found = re.search(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, f"no {language} block in {DOC}"
    return found.group(1)


def workspace(root: Path, script: str) -> dict[str, str]:
    """A task folder, and an environment whose PATH has a `synth-lsp` running this checkout."""
    shutil.copy(REPO / "examples" / "arc" / "007bbfb7.json", root / "007bbfb7.json")
    (root / "007bbfb7.synth.py").write_text(script)
    bin_dir = root / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "synth-lsp"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m synth_lsp "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IEXEC)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "HOME": str(root),  # no user configuration gets in
    }


NVIM_CHECK = r"""
vim.cmd("edit 007bbfb7.synth.py")
local buf = vim.api.nvim_get_current_buf()
local ok = vim.wait(30000, function() return #vim.diagnostic.get(buf) >= 5 end, 50)
local diags = vim.diagnostic.get(buf)
local out = { count = #diags, first = diags[1] and diags[1].message or "", line = diags[1] and diags[1].lnum or -1 }
local doc = { uri = vim.uri_from_bufnr(buf) }
for _, res in pairs(vim.lsp.buf_request_sync(buf, "textDocument/hover", { textDocument = doc, position = { line = 0, character = 2 } }, 10000) or {}) do
  if res.result then out.hover = res.result.contents.value end
end
for _, res in pairs(vim.lsp.buf_request_sync(buf, "textDocument/codeLens", { textDocument = doc }, 10000) or {}) do
  if res.result and res.result[1] then out.lens = res.result[1].command.title end
end
vim.cmd("edit 007bbfb7.json")
local examples = vim.api.nvim_get_current_buf()
out.attached = #vim.lsp.get_active_clients({ bufnr = examples }) == 1
io.stdout:write(vim.fn.json_encode(out) .. "\n")
for _, client in pairs(vim.lsp.get_active_clients()) do client.stop() end
vim.cmd(ok and "qall!" or "cquit 1")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="neovim is not installed")
def test_neovim_snippet(tmp_path: Path):
    env = workspace(tmp_path, IDENTITY)
    (tmp_path / "config.lua").write_text(snippet("lua"))
    (tmp_path / "check.lua").write_text(NVIM_CHECK)
    done = subprocess.run(
        ["nvim", "--headless", "--clean", "-c", "luafile config.lua", "-c", "luafile check.lua"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["count"] == 5 and out["line"] == 0
    assert out["first"] == "train pair 1: wrong shape: expected 9x9, got 3x3"
    assert out["hover"].startswith("**train pair 1**: wrong shape")
    assert out["lens"].startswith("train 0/5 · test 0/1 · ")
    assert out["attached"]


EMACS_CHECK = r"""
(require 'project)
(setq eglot-sync-connect t)
;; the test folder has no version control: make it a project
(add-hook 'project-find-functions (lambda (dir) (cons 'transient (expand-file-name default-directory))))
(find-file "007bbfb7.synth.py")
;; eglot-ensure waits for a command loop that batch mode lacks: connect directly
(unless (eglot-current-server) (apply #'eglot (eglot--guess-contact)))
(let ((deadline (+ (float-time) 40)) (texts nil))
  (while (and (< (float-time) deadline)
              (not (seq-some (lambda (text) (string-match-p "time limit of 0.3 s" text)) texts)))
    (accept-process-output nil 0.1)
    (flymake-start)
    (setq texts (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
  (princ (concat (json-encode texts) "\n"))
  (kill-emacs 0))
"""


@pytest.mark.skipif(shutil.which("emacs") is None, reason="emacs is not installed")
def test_emacs_eglot_snippet(tmp_path: Path):
    env = workspace(tmp_path, SPIN)
    config = snippet("elisp")
    # the settings pushed by eglot (didChangeConfiguration) must win over initializationOptions
    config = config.replace("(:settings (:timeLimit 2", "(:settings (:timeLimit 0.2")
    config = config.replace("'((:synthLsp . (:timeLimit 2", "'((:synthLsp . (:timeLimit 0.3")
    assert "0.2" in config and "0.3" in config
    (tmp_path / "config.el").write_text(config)
    (tmp_path / "check.el").write_text(EMACS_CHECK)
    done = subprocess.run(
        ["emacs", "--batch", "-q", "-l", "config.el", "-l", "check.el"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    texts = json.loads(done.stdout.strip().splitlines()[-1])
    assert any("timeout" in t and "time limit of 0.3 s exceeded (on every pair)" in t for t in texts), texts
