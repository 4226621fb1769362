"""``fazhi-service``: runs services as ``nameko run`` does, with the same arguments
(``fazhi-service --config config.yml registry.service``).

``nameko run`` imports eventlet before it loads a service, too early for the warning
filters of ``fazhi_common`` to apply; started from here, they are in place first, so an
operator's log holds what the service says, not its libraries' notices.
"""
import sys

import fazhi_common  # noqa: F401 (its warning filters, before nameko imports eventlet)


def main(argv=None):
    from nameko.cli.main import main as nameko

    sys.argv = ["fazhi-service", "run", *(sys.argv[1:] if argv is None else argv)]
    return nameko()


if __name__ == "__main__":
    sys.exit(main())
