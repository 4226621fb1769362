import pytest

from fazhi_common.crypto import new_key
from mediation.service import MediationService


@pytest.fixture
def mediation(container_factory, service_config):
    """A running mediation container on the test vhost with a clean database."""
    container = container_factory(MediationService, service_config(
        "mediation", MEDIATION_DATA_KEY=new_key()))
    container.start()
    return container
