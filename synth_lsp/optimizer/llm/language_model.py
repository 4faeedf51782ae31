"""Any litellm model, called with our own retry policy, timeouts and clear errors.

litellm is imported only when a model is really about to be called (the import takes seconds), with
`LITELLM_OFFLINE_MODE=true` set first (otherwise the import fetches a price map over the network)
and its banners off (they go to stdout, which is the language server's protocol channel).

litellm's own retries differ by provider, so they are switched off (`max_retries=0, num_retries=0`)
and retried here: rate limits, overload, server errors and timeouts back off (honouring Retry-After);
authentication and bad requests stop at once with a message that says what to fix. API keys come
from the provider's environment variables and are never logged or stored.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from synth_lsp.optimizer.llm.budget import Budget
from synth_lsp.optimizer.llm.credentials import refused_key_advice
from synth_lsp.optimizer.llm.litellm_import import import_litellm
from synth_lsp.optimizer.llm.pricing import Price, cost_of, litellm_price, usage_of

__all__ = ["import_litellm"]  # re-exported: callers import it from here

class LanguageModelError(RuntimeError):
    """A model call failed. `fatal` errors (bad key, bad request) stop the run; others fail one mutation."""

    fatal = False


class ModelAuthError(LanguageModelError):
    fatal = True


class ModelRequestError(LanguageModelError):
    fatal = True


class ModelUnavailableError(LanguageModelError):
    """Still failing (rate limit, overload, timeout) after every retry."""


class BudgetExhausted(LanguageModelError):
    """No call may start: a budget cap is reached."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay_s: float = 1.0  # doubled after each failure, with jitter
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0  # a server asking for longer than this is not waited for


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    attempts: int
    duration_s: float


Sleep = Callable[[float], Awaitable[Any]]


def retry_after_seconds(exc: BaseException) -> float | None:
    """The Retry-After header of a failed call, in seconds (numbers or HTTP dates)."""
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
    except AttributeError:
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(value))
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def classify(exc: BaseException, model: str, api_base: str | None) -> tuple[str, str]:
    """("retry" | "skip" | "auth" | "request", a message for the user) for an exception raised by litellm.

    retry: back off and try again; skip: this call failed, the run goes on; auth and request: stop."""
    litellm = import_litellm()
    name = type(exc).__name__
    where = f" at {api_base}" if api_base else ""
    if isinstance(exc, litellm.AuthenticationError) or isinstance(exc, getattr(litellm, "PermissionDeniedError", ())):
        return "auth", f"the provider refused the credentials for model {model!r}{where} ({name}). {refused_key_advice(model)}"
    if _missing_credentials(exc):  # openai/ without a key raises InternalServerError, which looks retryable
        return "auth", f"no credentials for model {model!r}{where}. {refused_key_advice(model)}"
    if isinstance(exc, getattr(litellm, "ContentPolicyViolationError", ())):
        return "skip", f"model {model!r} refused this prompt (content policy): {_short(exc)}"
    if isinstance(exc, getattr(litellm, "ContextWindowExceededError", ())):
        return "request", f"the prompt is longer than model {model!r} accepts (context window exceeded)."
    if isinstance(exc, litellm.NotFoundError):
        return "request", f"model {model!r} was not found{where} ({_short(exc)})."
    if isinstance(exc, litellm.BadRequestError):
        return "request", f"model {model!r}{where} rejected the request as invalid: {_short(exc)}"
    retryable = tuple(
        getattr(litellm, n)
        for n in ("RateLimitError", "ServiceUnavailableError", "InternalServerError", "Timeout", "APIConnectionError", "APIError")
        if hasattr(litellm, n)
    )
    if isinstance(exc, retryable) or isinstance(exc, (asyncio.TimeoutError, ConnectionError)):
        return "retry", f"{name} from model {model!r}{where}: {_short(exc)}"
    return "request", f"unexpected {name} calling model {model!r}{where}: {_short(exc)}"


def _missing_credentials(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "missing credentials" in text or "api_key client option must be set" in text


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def backoff_delay(attempt: int, policy: RetryPolicy, retry_after: float | None, rng: random.Random) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the server asks for too long."""
    if retry_after is not None:
        return retry_after if retry_after <= policy.max_retry_after_s else None
    delay = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempt - 1)))
    return delay * (0.5 + rng.random() / 2)


async def call_with_retries(
    call: Callable[[], Awaitable[Any]],
    *,
    model: str,
    api_base: str | None,
    policy: RetryPolicy,
    secrets: tuple[str, ...] = (),
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    give_up: Callable[[], bool] | None = None,
) -> tuple[Any, int]:
    """Run `call` under the retry policy; returns (response, attempts). A `call` that holds budget
    does so per attempt (see `LanguageModel.complete`), so every attempt counts as a call. Once
    `give_up()` is true (a stop was asked for), a failed attempt is not retried."""
    rng = rng or random.Random()
    last_message = ""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return await call(), attempt
        except BudgetExhausted:
            raise
        except Exception as exc:
            verdict, message = classify(exc, model, api_base)
            message = _scrub(message, secrets)
            if verdict == "auth":
                raise ModelAuthError(message) from None
            if verdict == "request":
                raise ModelRequestError(message) from None
            if verdict == "skip":
                raise LanguageModelError(message) from None
            last_message = message
            if attempt == policy.max_attempts or (give_up is not None and give_up()):
                break
            delay = backoff_delay(attempt, policy, retry_after_seconds(exc), rng)
            if delay is None:
                break
            await sleep(delay)
    raise ModelUnavailableError(f"gave up after {attempt} attempt(s): {last_message}")


_SECRET_NAME = re.compile(r"(API_KEY|_KEY|_TOKEN|_SECRET|PASSWORD)$", re.IGNORECASE)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Remove the key in use and any credential-looking environment value from a message."""
    from_env = tuple(v for k, v in os.environ.items() if _SECRET_NAME.search(k))
    for secret in sorted(set(secrets + from_env), key=len, reverse=True):
        if secret and len(secret) >= 8:
            text = text.replace(secret, "***")
    return text


def local_api_key(model: str, api_base: str | None, api_key: str | None) -> str | None:
    """A placeholder key for OpenAI-compatible local servers (litellm refuses `openai/` without one)."""
    if api_key or not api_base:
        return api_key
    if model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
        return "no-key-needed"
    return None


class LanguageModel:
    """One litellm chat model. `complete` returns the reply or raises a LanguageModelError."""

    def __init__(
        self,
        model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        max_tokens: int = 4096,
        retry: RetryPolicy | None = None,
        budget: Budget | None = None,
        sleep: Sleep = asyncio.sleep,
        price: Price | None = None,
    ):
        """`price`: the user's price for the model (else litellm's, when it has one)."""
        if not model or model == "offline":
            raise ValueError("a language model needs a litellm model name, e.g. 'openai/gpt-4o-mini'")
        self.model = model
        self.api_base = api_base or None
        self._api_key = local_api_key(model, self.api_base, api_key)
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self._sleep = sleep
        self._user_price = price
        self._price_fn: Price | None = price
        self._price_known = price is not None

    def __repr__(self) -> str:  # never shows the key
        return f"LanguageModel(model={self.model!r}, api_base={self.api_base!r})"

    def price(self) -> Price | None:
        """The price calls are held and counted at (looked up once; None when it has none)."""
        if not self._price_known:
            self._price_fn, self._price_known = litellm_price(self.model)[0], True
        return self._price_fn

    async def complete(
        self, messages: list[dict[str, str]], temperature: float, origin: str = "mutation",
        give_up: Callable[[], bool] | None = None,
    ) -> Completion:
        """One reply; its spend is counted under (this model, `origin`). Once `give_up()` is true,
        a failed attempt is not retried."""
        litellm = import_litellm()
        started = time.perf_counter()
        budget = self.budget
        prompt_estimate = count_prompt_tokens(self.model, messages) if budget is not None else 0
        price = self.price()

        async def call() -> Any:
            # every attempt holds its worst case against the caps until its reply settles it
            reservation = None
            if budget is not None:
                reservation = await budget.acquire(prompt_estimate, self.max_tokens, price, label=(self.model, origin))
                if reservation is None:
                    raise BudgetExhausted(budget.exhausted() or "budget reached")
            try:
                response = await litellm.acompletion(
                    model=self.model,
                    messages=messages,
                    temperature=temperature,
                    max_tokens=reservation.max_completion_tokens if reservation else self.max_tokens,
                    timeout=self.timeout_s,
                    max_retries=0,
                    num_retries=0,
                    api_base=self.api_base,
                    api_key=self._api_key,
                )
            except BaseException:
                if reservation is not None:
                    budget.settle(reservation)  # a failed attempt is not billed
                raise
            if reservation is not None:
                budget.settle(reservation, *usage_of(response), cost_of(response, self._user_price))
            return response

        response, attempts = await call_with_retries(
            call, model=self.model, api_base=self.api_base, policy=self.retry,
            secrets=(self._api_key or "",), sleep=self._sleep, give_up=give_up,
        )
        prompt_tokens, completion_tokens = usage_of(response)
        cost = cost_of(response, self._user_price)
        choice = response.choices[0] if getattr(response, "choices", None) else None
        message = getattr(choice, "message", None)
        return Completion(
            text=(getattr(message, "content", None) or ""),
            finish_reason=getattr(choice, "finish_reason", None),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost,
            attempts=attempts,
            duration_s=time.perf_counter() - started,
        )


def count_prompt_tokens(model: str, messages: list[dict[str, str]]) -> int:
    """The prompt's tokens by litellm's offline tokenizers (an estimate for some providers); a
    generous guess from its length when the model has none."""
    try:
        return int(import_litellm().token_counter(model=model, messages=messages))
    except Exception:
        return sum(len(m.get("content") or "") for m in messages) // 2 + 8 * len(messages)
