"""Where a survey's one-time code goes: a pluggable sender, ``SURVEY_CODE_SENDER``.

``log`` (the default, for a quick start and tests) writes the code to the service's log
and keeps the last few in ``SENT`` for a test to read; a deployment names its SMS
gateway's function instead, as ``package.module:function`` taking ``(phone, text)``.
"""
import importlib
import logging
from collections import deque

log = logging.getLogger(__name__)
SENT = deque(maxlen=200)  # (phone, code) of the log sender, newest last


def masked(phone):
    return f"{phone[:3]}****{phone[-4:]}"


def log_sender(phone, text, code):
    SENT.append((phone, code))
    log.warning("survey code for %s (no SMS sender configured): %s", masked(phone), text)


def sender_from(setting):
    """The callable ``(phone, text, code)`` that ``setting`` names."""
    if not setting or setting == "log":
        return log_sender
    module, _, name = setting.partition(":")
    function = getattr(importlib.import_module(module), name)
    return lambda phone, text, code: function(phone, text)
