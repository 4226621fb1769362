import pytest

from corrections.operations import UNITS
from corrections.service import CorrectionsService
from fazhi_common.crypto import new_key
from tests.helpers import seed_units
from tests.mediation.factories import unit_events

COUNTY, TOWN, COMMUNITY = "330110000000", "330110001000", "330110001001"
OTHER_COUNTY = "330122000000"
# the office's leader: a justice officer named in OFFICE_LEADERS (docs/corrections.md)
LEADER = "justice_officer-330110000000-leaders"


@pytest.fixture
def corrections(container_factory, service_config):
    """A running corrections container with the registry's units in its read model."""
    container = container_factory(CorrectionsService, service_config(
        "corrections", CORRECTIONS_DATA_KEY=new_key(), OFFICE_LEADERS=LEADER))
    container.start()
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container
