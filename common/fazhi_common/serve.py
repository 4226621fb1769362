"""``fazhi-service``: runs services as ``nameko run`` does, with the same arguments
(``fazhi-service --config config.yml registry.service``).

``nameko run`` imports eventlet before it loads a service, too early for the warning
filters of ``fazhi_common`` to apply; started from here, they are in place first, so an
operator's log holds what the service says, not its libraries' notices. It also sets
the cycle collector as a service's work wants it (``tune_collector``).
"""
import gc
import sys

import fazhi_common  # noqa: F401 (its warning filters, before nameko imports eventlet)

# A job's batch or a drain of events makes hundreds of thousands of short-lived lists and
# dicts; at Python's default (a young collection every 700) they set off a full pass over
# the whole heap every few batches: 13 in a province's recompute, 1.2 s of its 6 s of CPU.
# Young collections every 10,000 make those passes ~14 times rarer.
YOUNG_COLLECTION_EVERY = 10_000


def tune_collector():
    """The cycle collector's thresholds a service process runs with."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


def main(argv=None):
    from nameko.cli.main import main as nameko

    tune_collector()
    sys.argv = ["fazhi-service", "run", *(sys.argv[1:] if argv is None else argv)]
    return nameko()


if __name__ == "__main__":
    sys.exit(main())
