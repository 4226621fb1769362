import pytest
import yaml
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import make_engine
from registry.service import RegistryService


@pytest.fixture
def registry(container_factory, service_config):
    """A running registry container on the test vhost with a clean database."""
    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container


@pytest.fixture
def registry_config(database_url, tmp_path):
    """For the command-line tools: a config file naming a clean registry database, and
    sessions on that database to look at what they did."""
    url = database_url("registry")
    path = tmp_path / "registry.yml"
    path.write_text(yaml.safe_dump({"DATABASE_URL": url}))
    engine = make_engine(url)
    yield str(path), sessionmaker(engine)
    engine.dispose()
