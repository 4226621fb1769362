import pytest

from registry.service import RegistryService


@pytest.fixture
def registry(container_factory, service_config):
    """A running registry container on the test vhost with a clean database."""
    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container
