"""Which environment variable a model's API key comes from, so that a missing or refused key stops
the run at once with a message naming it (litellm knows the variable of each provider). Only the
variables' names are looked at here, never their values."""

from __future__ import annotations

import os
import re

from synth_lsp.optimizer.llm.litellm_import import import_litellm

_KEY_NAME = re.compile(r"(_KEY|_TOKEN)$")
# providers whose credentials often come from elsewhere (a cloud profile, an instance role, a
# token file): a key missing from the environment proves nothing there, the first call will say
_OTHER_CREDENTIALS = {"bedrock", "sagemaker", "vertex_ai", "vertex_ai_beta", "azure", "azure_ai", "watsonx"}


def key_variables(model: str) -> list[str]:
    """The environment variables the provider of `model` reads its key from (best effort)."""
    litellm = import_litellm()
    try:
        missing = litellm.validate_environment(model=model).get("missing_keys") or []
    except Exception:
        missing = []
    names = [name for name in missing if _KEY_NAME.search(name)]
    if names:
        return names
    try:
        provider = litellm.get_llm_provider(model)[1]
    except Exception:
        return []
    stem = str(provider).upper().replace("-", "_")
    present = sorted(name for name in os.environ if name.startswith(stem) and _KEY_NAME.search(name))
    return present or [f"{stem}_API_KEY"]


def missing_key(model: str, api_base: str | None, api_key: str | None) -> str | None:
    """Why `model` cannot be called for want of a key, naming the variable to set; None when a key
    is given or set, or when a local server (`api_base`) may need none."""
    if api_key or api_base:
        return None
    litellm = import_litellm()
    try:
        if litellm.get_llm_provider(model)[1] in _OTHER_CREDENTIALS:
            return None
        report = litellm.validate_environment(model=model)
    except Exception:
        return None  # litellm cannot tell: the first call will say
    names = [name for name in report.get("missing_keys") or [] if _KEY_NAME.search(name)]
    if report.get("keys_in_environment") or not names:
        return None
    wanted = " or ".join(names)
    return (
        f"model {model!r} needs an API key: set {wanted} in the environment "
        "(or give --api-base for a local OpenAI-compatible server that needs none)."
    )


def refused_key_advice(model: str) -> str:
    names = key_variables(model)
    where = " or ".join(names) if names else "the provider's API key variable"
    return f"Check the key in {where}."
