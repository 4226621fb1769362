import pytest

from registry.service import RegistryService


@pytest.fixture
def registry(container_factory, service_config):
    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container
