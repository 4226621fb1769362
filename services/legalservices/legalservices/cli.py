"""``fazhi-legalservices``: the legal services operator's command line.

    fazhi-legalservices migrate-from-mediation --mediation-db URL [--drop-mediation-tables]

Moves legal-aid applications (with their overdue notices) and 12348 consultations out of
the mediation database into this service's (the same config as the service: its
DATABASE_URL and LEGALSERVICES_DATA_KEY). Mediation's data key comes from the environment
(``MEDIATION_DATA_KEY``) or ``--mediation-key``. The counts are printed; a re-run copies
nothing twice; mediation's tables are dropped only with the flag and only once every row
is verified. Then set ``LEGAL_AID_LEGACY_DIGEST_KEY`` to the key printed, so residents'
receipts from before the move still work. See docs/operations.md.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from fazhi_common.config import load_config
from fazhi_common.crypto import FieldCipher
from legalservices.move import MoveRefused, move

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yml"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fazhi-legalservices")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate-from-mediation",
                                  help="move legal aid and 12348 rows out of mediation")
    migrate.add_argument("--mediation-db", required=True,
                         help="the mediation database URL")
    migrate.add_argument("--mediation-key", default=os.environ.get("MEDIATION_DATA_KEY"),
                         help="mediation's data key (default: $MEDIATION_DATA_KEY)")
    migrate.add_argument("--config", default=str(DEFAULT_CONFIG))
    migrate.add_argument("--database-url", help="this service's database (default: config)")
    migrate.add_argument("--drop-mediation-tables", action="store_true",
                         help="drop mediation's tables once the copy is verified")
    args = parser.parse_args(argv)
    if not args.mediation_key:
        parser.error("mediation's data key is needed: set MEDIATION_DATA_KEY or "
                     "--mediation-key")
    config = load_config(Path(args.config))
    try:
        report = move(args.mediation_db, args.database_url or config["DATABASE_URL"],
                      FieldCipher(args.mediation_key),
                      FieldCipher(config["LEGALSERVICES_DATA_KEY"]),
                      drop=args.drop_mediation_tables)
    except MoveRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if report.get("legacy_digest_key"):
        print(f"Set LEGAL_AID_LEGACY_DIGEST_KEY={report['legacy_digest_key']} in the legal "
              "services' environment so receipts from before the move keep working.",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
