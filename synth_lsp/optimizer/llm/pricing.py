"""What a model call costs: litellm's price map, or a price the user gives (USD per million tokens).

A `--max-cost` cap can only be enforced with a price, so a model without one (a local server, a
custom name) or with an entry that is not a usable number refuses to start under such a cap, and
says how to give it a price; without a cost cap, its calls are counted at $0.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from synth_lsp.optimizer.llm.litellm_import import import_litellm

# (prompt tokens, completion tokens) -> USD
Price = Callable[[int, int], float]

PRICE_ADVICE = (
    "give its price with --price-per-mtok INPUT,OUTPUT (USD per million prompt and completion tokens; "
    "the editor's setting synthLsp.pricePerMtok), or register it in litellm's custom pricing "
    "(litellm.register_model / a model_cost entry with input_cost_per_token and output_cost_per_token)"
)


class PriceError(ValueError):
    """A price that cannot be used (not a number, negative, infinite)."""


def per_million(input_usd: float, output_usd: float = 0.0) -> Price:
    """A price from USD per million prompt and completion tokens."""
    for value in (input_usd, output_usd):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
            raise PriceError(f"a price per million tokens must be a number >= 0, got {value!r}")
    return lambda prompt, completion: (prompt * input_usd + completion * output_usd) / 1e6


def litellm_price(model: str) -> tuple[Price | None, str | None]:
    """litellm's price of `model`, or (None, why not) when it has none or a garbage one."""
    litellm = import_litellm()

    def price(prompt_tokens: int, completion_tokens: int) -> float:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        return float(prompt_cost) + float(completion_cost)

    try:
        probe = price(1_000_000, 1_000_000)
    except Exception as exc:  # not in litellm's price map (local servers, custom names), or not numbers
        if "not mapped" in str(exc).lower() or type(exc).__name__ == "NotFoundError" or "This model isn't mapped" in str(exc):
            return None, f"model {model!r} has no known price"
        return None, f"litellm's price entry for model {model!r} is not usable ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
    if not math.isfinite(probe) or probe < 0:
        return None, f"litellm's price entry for model {model!r} is not usable (a million tokens would cost {probe!r} USD)"
    return price, None


def usage_of(response: Any) -> tuple[int, int]:
    """(prompt tokens, completion tokens) of a response; 0 for what it does not say."""
    usage = getattr(response, "usage", None)

    def number(name: str) -> int:
        value = getattr(usage, name, None) if not isinstance(usage, dict) else usage.get(name)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0

    return number("prompt_tokens"), number("completion_tokens")


def cost_of(response: Any, price: Price | None) -> float:
    """The call's cost in USD: by `price` when given (the user's or a known one), else what litellm
    says; 0 for models without a price, and for any figure that is not a finite amount >= 0."""
    if price is not None:
        cost: Any = price(*usage_of(response))
    else:
        hidden = getattr(response, "_hidden_params", None) or {}
        cost = hidden.get("response_cost") if isinstance(hidden, dict) else None
        if cost is None:
            try:
                cost = import_litellm().completion_cost(completion_response=response)
            except Exception:  # unpriced model: ModelNotMappedError and friends
                cost = 0.0
    try:
        value = float(cost or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


def price_for(model: str, user_price: Price | None, cost_capped: bool, option: str = "--price-per-mtok") -> Price | None:
    """The price to hold and count `model`'s calls at. Raises PriceError, saying how to give a
    price, when a cost cap is set and the model has no usable one."""
    if user_price is not None:
        return user_price
    price, problem = litellm_price(model)
    if price is None and cost_capped:
        advice = PRICE_ADVICE.replace("--price-per-mtok", option)
        raise PriceError(f"{problem}, so a cost cap (--max-cost / --max-cost-total) cannot be enforced: {advice}.")
    return price
