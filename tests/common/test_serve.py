"""``fazhi-service`` hands its arguments to ``nameko run`` with the collector tuned."""
import gc
import sys

import nameko.cli.main

from fazhi_common import serve


def test_a_service_runs_with_young_collections_spaced_out(monkeypatch):
    seen = {}

    def nameko_main():
        seen["argv"], seen["threshold"] = list(sys.argv), gc.get_threshold()
        return 0
    monkeypatch.setattr(nameko.cli.main, "main", nameko_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    before = gc.get_threshold()
    try:
        assert serve.main(["--config", "config.yml", "evaluation.service"]) == 0
    finally:
        gc.set_threshold(*before)
    assert seen["argv"] == ["fazhi-service", "run", "--config", "config.yml",
                            "evaluation.service"]
    assert seen["threshold"] == (serve.YOUNG_COLLECTION_EVERY, *before[1:])
    assert before[0] < serve.YOUNG_COLLECTION_EVERY
