"""The officials' web console, served by the gateway under ``/console/``.

Plain HTML, ES modules and CSS (no build step); every figure and every write goes through
the same API with the same checks. This package adds only the pages, their files and the
browser session (sign-in, who am I, sign-out) — see ``views`` — and the residents'
pages under ``/m/`` (``residents``).
"""
from gateway.console.residents import bp as residents_bp
from gateway.console.views import bp

__all__ = ["bp", "residents_bp"]
