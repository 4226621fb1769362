import pytest

from fazhi_common.crypto import new_key
from legalservices.operations import UNITS
from legalservices.service import LegalServicesService
from mediation.operations import UNITS as MEDIATION_UNITS
from mediation.service import MediationService
from tests.helpers import seed_units
from tests.mediation.factories import unit_events


@pytest.fixture
def legalservices(container_factory, service_config):
    """A running legal services container on the test vhost with a clean database."""
    container = container_factory(LegalServicesService, service_config(
        "legalservices", LEGALSERVICES_DATA_KEY=new_key()))
    container.start()
    # the registry's units, as its events would have brought them (fazhi_common.units)
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container


@pytest.fixture
def mediation(container_factory, service_config):
    """Mediation beside it (failed cases, the overdue scan the gateway combines)."""
    container = container_factory(MediationService, service_config(
        "mediation", MEDIATION_DATA_KEY=new_key()))
    container.start()
    seed_units(container.config["DATABASE_URL"], MEDIATION_UNITS, unit_events())
    return container
