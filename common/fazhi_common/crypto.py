"""Personal data at rest: AES-GCM field encryption and keyed digests.

A service keeps names, ID numbers and phone numbers as ``FieldCipher.encrypt`` blobs, so
neither the database file nor a dump reveals them. Each blob is
``version byte | 12-byte nonce | ciphertext+tag``; the version byte leaves room to rotate
keys later. The ``context`` (say ``"party.name"``) is bound in as associated data, so a
blob copied into another column does not decrypt there.

``digest`` gives a keyed HMAC-SHA256 of a value, for the rare lookup by exact value
(``WHERE id_digest = ...``) without storing the value itself.
"""
import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
NONCE_BYTES = 12


def _derive(master, purpose):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"fazhi:{purpose}".encode()).derive(master)


def new_key():
    """A fresh base64 key for config files (``python -m fazhi_common.crypto``)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class FieldCipher:
    """Encrypts and decrypts text fields with one master key (base64, 32 bytes)."""

    def __init__(self, key):
        master = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        if len(master) != 32:
            raise ValueError("a field-encryption key is 32 bytes, base64-encoded")
        self._aead = AESGCM(_derive(master, "encryption"))
        self._digest_key = _derive(master, "digest")

    def encrypt(self, text, context):
        if text is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, text.encode(), context.encode())

    def decrypt(self, blob, context):
        if blob is None:
            return None
        blob = bytes(blob)
        if blob[:1] != VERSION:
            raise ValueError("unknown field-encryption version")
        nonce, sealed = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            raise ValueError("field cannot be decrypted with this key and context") from None

    def digest_key_hex(self):
        """The digest key alone (hex): it checks ``digest`` values and decrypts nothing, so
        another service may be given it to check secrets made under this key."""
        return self._digest_key.hex()

    def digest(self, text):
        if text is None:
            return None
        return hmac.new(self._digest_key, text.encode(), hashlib.sha256).hexdigest()


if __name__ == "__main__":
    print(new_key())
