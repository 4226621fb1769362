"""Contract errors cross the bus intact: each is registered with nameko's exception
registry (machinery over ``fazhi_common.contracts.errors``, which knows no bus)."""
from nameko.exceptions import get_module_path, registry

from fazhi_common.contracts import errors


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def register():
    """Register every ``FazhiError`` subclass defined so far (idempotent)."""
    for cls in _subclasses(errors.FazhiError):
        registry[get_module_path(cls)] = cls


register()
