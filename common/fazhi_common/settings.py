"""Policy as values: a service's settings turned once into a frozen value operations take.

``titles = Settings(TitlePolicy.from_config)`` on a service class gives ``self.titles``,
built from the container's config when the service starts. ``config.yml`` states every
default once; ``from_config`` reads the keys (a missing key fails at start, not on the
first call that needs it).
"""
from nameko.extensions import DependencyProvider


class Settings(DependencyProvider):
    """``self.<name>``: ``build(config)``, made once at setup and shared by every worker."""

    def __init__(self, build):
        self.build = build

    def setup(self):
        self.value = self.build(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.value
