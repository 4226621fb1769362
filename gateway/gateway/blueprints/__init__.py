"""One blueprint per domain; each module here exposes ``bp`` and is registered by the app."""
import importlib
import pkgutil


def all_blueprints():
    return [importlib.import_module(f"{__name__}.{m.name}").bp
            for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)]
