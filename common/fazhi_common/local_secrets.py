"""The quick start's secrets: generated on its first run, random, kept private under var/.

No config.yml ships a secret (``fazhi_common.config.check_secrets`` refuses one found in
the repository); ``scripts/run`` and ``scripts/department`` call this once and export what
it wrote.
"""
import os
import secrets
import sys

from fazhi_common.crypto import new_key
from fazhi_common.identity import keygen


def generate_local_secrets(path):
    """The quick start's secrets: made once, random, in ``path`` (mode 0600), as
    ``NAME=value`` lines a shell can export; an existing file is kept as it is."""
    if os.path.exists(path) and os.path.getsize(path) > 0:
        return
    private, public = keygen()
    values = {"GATEWAY_SIGNING_KEY": private, "GATEWAY_VERIFY_KEYS": public,
              "TOKEN_KEY_K1": secrets.token_urlsafe(48),
              "EVALUATION_SURVEY_SECRET": secrets.token_urlsafe(48),
              "MEDIATION_DATA_KEY": new_key(), "LEGALSERVICES_DATA_KEY": new_key(),
              "LEGAL_AID_TRANSFER_KEY": new_key(), "CORRECTIONS_DATA_KEY": new_key()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("# generated on first run by scripts/run; keep it, never commit it\n")
        fh.writelines(f"{name}={value}\n" for name, value in values.items())


if __name__ == "__main__":  # python -m fazhi_common.local_secrets var/secrets.env
    if len(sys.argv) != 2:
        sys.exit("usage: python -m fazhi_common.local_secrets PATH")
    generate_local_secrets(sys.argv[1])
