import pytest

from fazhi_common.crypto import new_key
from mediation.operations import UNITS
from mediation.service import MediationService
from tests.helpers import seed_units
from tests.mediation.factories import unit_events


@pytest.fixture
def mediation(container_factory, service_config):
    """A running mediation container on the test vhost with a clean database."""
    container = container_factory(MediationService, service_config(
        "mediation", MEDIATION_DATA_KEY=new_key()))
    container.start()
    # the registry's units, as its events would have brought them (fazhi_common.units)
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container
