"""The JSON-lines protocol the evolution worker and its driver share (synth_lsp/workers/protocol.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth_lsp.workers.protocol import (
    STOP_LINE,
    ErrorEvent,
    FinishedEvent,
    Job,
    ProgressEvent,
    ProtocolError,
    decode_event,
    encode_event,
    event_from,
    is_stop,
)


def test_a_job_round_trips_and_leaves_out_text_it_does_not_have():
    job = Job(Path("/tmp/a.synth.py"), {"model": "offline"}, text="result = 1\n")
    assert Job.decode(job.encode()) == job
    plain = json.loads(Job(Path("/tmp/a.synth.py")).encode())
    assert plain == {"script": "/tmp/a.synth.py", "settings": {}}


@pytest.mark.parametrize("line", [b"", b"not json", b'{"settings": {}}', b'{"script": "/a", "text": 5}', b'{"script": "/a", "settings": [1]}'])
def test_a_bad_job_is_a_protocol_error_that_says_so(line: bytes):
    with pytest.raises(ProtocolError, match="bad job for the evolution worker"):
        Job.decode(line)


def test_only_the_stop_command_stops():
    assert is_stop(STOP_LINE)
    assert not is_stop(b'{"command": "go"}\n')
    assert not is_stop(b"stop\n")
    assert not is_stop(b"[1]\n")


def test_events_round_trip_with_their_kind_on_the_wire():
    events = [
        ProgressEvent(generation=2, generations=10, best_id="abc", best_reward=0.5, calls=3, cost_usd=0.01),
        FinishedEvent(best_id="abc", improved=True, stop_reason="solved", failures=["x"]),
        ErrorEvent("the key was refused"),
    ]
    for event in events:
        line = encode_event(event)
        assert json.loads(line)["event"] == event.KIND
        assert decode_event(line) == event


def test_decoding_is_lenient_about_fields_and_strict_about_kinds():
    progress = decode_event(b'{"event": "progress", "generation": 4, "from_a_newer_worker": 1}')
    assert progress == ProgressEvent(generation=4)
    resumed = decode_event(b'{"event": "progress", "generation": 12, "run_generation": 2, "run_generations": 10, "total_cost_usd": 0.5}')
    assert (resumed.run_generation, resumed.run_generations, resumed.total_cost_usd) == (2, 10, 0.5)
    for line in (b'{"event": "gossip"}', b"[]", b"{", b'"progress"'):
        with pytest.raises(ProtocolError):
            decode_event(line)


def test_an_event_takes_only_its_own_fields_from_a_wider_mapping():
    event = event_from(ProgressEvent, {"generation": 1, "state": "finished", "unrelated": True})
    assert event == ProgressEvent(state="finished", generation=1)
