import pytest

from evaluation.service import EvaluationService
from registry.service import RegistryService


@pytest.fixture
def evaluation(container_factory, service_config):
    """A running evaluation container on the test vhost with a clean database."""
    container = container_factory(EvaluationService, service_config(
        "evaluation", TITLE_VALIDITY_YEARS=4,
        TITLE_VALIDITY_SOURCE="测试：地方政策（四年有效）",
        # a province's own prerequisite, as 甘肃 asks a city title before a provincial one
        TITLE_PREREQUISITES=[{"province": "33", "level": "national", "requires": "province",
                              "source": "测试：本省办法第四条"}],
        RE_EVALUATION_INTERVAL_YEARS=2, RE_EVALUATION_NOTICE_DAYS=30,
        RE_EVALUATION_CHECK_SECONDS=3600))
    container.start()
    return container


@pytest.fixture
def registry(container_factory, service_config):
    """The real registry alongside: its events reach evaluation over the test vhost."""
    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container
