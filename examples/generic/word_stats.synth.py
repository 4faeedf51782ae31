# A non-grid synthesis task: `inputs` is {"text": ...}; `result` must match the schema in
# word_stats.json (words, longest, most_common). This version has a bug or two on purpose:
# run `synth-lsp check examples/generic/word_stats.synth.py` to see them.


def clean(word):
    return word.strip(".,!?;:")


def stats(text):
    words = text.split()
    longest = ""
    counts = {}
    for w in words:
        w = clean(w)
        if len(w) > len(longest):
            longest = w
        counts[w] = counts.get(w, 0) + 1
    best = sorted(counts, key=lambda k: (-counts[k], k))[0] if counts else ""
    return {"words": len(words), "longest": longest, "most_common": best}


result = stats(inputs["text"])
