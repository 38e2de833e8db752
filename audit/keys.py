"""The keys of the audit chain's HMAC (issue #12, deliverable 9).

``AUDIT_HMAC_KEYS="k2:secret2,k1:secret1"``: the first key signs new events, the others only
verify older ones, so a rotation puts a new key in front and keeps the old ones. Without the
variable the key is derived from ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS`` verify), so a
deployment needs no new setting; its id ``sk-…`` is a fingerprint, so a changed SECRET_KEY
shows as an unknown key rather than as altered rows. Derived keys always verify, so a site
that sets the variable later keeps verifying the events signed before.
"""

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def keyring_parse(text: str) -> dict[str, bytes]:
    """``"id:secret,id:secret"`` → ordered {id: secret}; malformed text is refused whole."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not KEY_ID.match(key_id) or not secret or key_id in keys:
            raise ImproperlyConfigured(
                "AUDIT_HMAC_KEYS must be 'id:secret' pairs separated by commas, with unique ids "
                "of letters, digits, '_', '.' or '-' (at most 32) and non-empty secrets."
            )
        keys[key_id] = secret.encode()
    return keys


def derived_key(secret_key: str) -> tuple[str, bytes]:
    key = salted_hmac("audit.keys", "audit chain", secret=secret_key, algorithm="sha256").digest()
    return "sk-" + hashlib.sha256(key).hexdigest()[:8], key


def audit_keys() -> dict[str, bytes]:
    """Every key that verifies, by id, the signing key first."""
    keys = keyring_parse(settings.AUDIT_HMAC_KEYS)
    for secret_key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        keys.setdefault(*derived_key(secret_key))
    return keys


def audit_key_signing() -> tuple[str, bytes]:
    """The (id, secret) that signs new events."""
    return next(iter(audit_keys().items()))
