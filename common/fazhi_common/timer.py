"""A nameko timer whose interval comes from the service's config, not the code.

A decorator's arguments are fixed when the module is imported, before any config is
loaded; this reads ``config[key]`` (seconds) at setup. Tests run timers every fraction
of a second, a deployment every minute or so::

    @timer("OVERDUE_SCAN_SECONDS", default=60)
    def scan_overdue_periodically(self): ...
"""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    def __init__(self, key, default, **kwargs):
        self.key = key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.key, self.interval))
        super().setup()


timer = ConfiguredTimer.decorator
