"""The language-model side of OMEGA: model calls through litellm, embeddings, prompts, parsing
replies into scripts, and the budget every call is held against.

It may import the optimizer's candidate and storage modules and the core; litellm is imported only
when a model is really called.
"""
