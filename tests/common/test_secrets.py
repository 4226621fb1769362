"""Development secrets: a warning on a developer's machine, a refusal in production."""
import logging

import pytest

from fazhi_common.config import (
    DEVELOPMENT_SECRETS,
    check_secrets,
    development_secrets_in,
    load_config,
)
from tests.conftest import ROOT, SERVICE_DIRS

log = logging.getLogger("test")


def test_the_shipped_configs_fall_back_on_development_secrets_only():
    found = {part: development_secrets_in(load_config(path / "config.yml", environ={}))
             for part, path in SERVICE_DIRS.items()}
    assert found == {
        "registry": ["GATEWAY_VERIFY_KEYS"],
        "evaluation": ["GATEWAY_VERIFY_KEYS", "SURVEY_SECRET"],
        "mediation": ["GATEWAY_VERIFY_KEYS", "MEDIATION_DATA_KEY", "LEGAL_AID_TRANSFER_KEY"],
        "legalservices": ["GATEWAY_VERIFY_KEYS", "LEGALSERVICES_DATA_KEY",
                          "LEGAL_AID_TRANSFER_KEY"],
        "notifications": ["GATEWAY_VERIFY_KEYS"],
        "corrections": ["GATEWAY_VERIFY_KEYS", "CORRECTIONS_DATA_KEY"],
        "gateway": ["GATEWAY_SIGNING_KEY", "TOKEN_KEYS"],
    }


def test_production_refuses_development_secrets(caplog):
    config = load_config(ROOT / "services" / "mediation" / "config.yml", environ={})
    check_secrets(config, log)
    assert "MEDIATION_DATA_KEY" in caplog.text  # warned, not refused
    with pytest.raises(RuntimeError, match="MEDIATION_DATA_KEY"):
        check_secrets(dict(config, ENVIRONMENT="production"), log)
    real = dict(config, ENVIRONMENT="production", GATEWAY_VERIFY_KEYS="a-real-public-key",
                MEDIATION_DATA_KEY="a-real-data-key", LEGAL_AID_TRANSFER_KEY="a-real-key")
    check_secrets(real, log)


def test_a_production_service_with_a_development_key_does_not_start(container_factory,
                                                                    service_config):
    from registry.service import RegistryService

    config = service_config("registry", ENVIRONMENT="production",
                            GATEWAY_VERIFY_KEYS=DEVELOPMENT_SECRETS["GATEWAY_VERIFY_KEYS"])
    container = container_factory(RegistryService, config)
    with pytest.raises(RuntimeError, match="GATEWAY_VERIFY_KEYS"):
        container.start()


def test_a_production_gateway_with_a_development_key_does_not_start(gateway_config):
    from gateway.app import create_app

    with pytest.raises(RuntimeError, match="TOKEN_KEYS"):
        create_app(dict(gateway_config, ENVIRONMENT="production",
                        TOKEN_KEYS={"k1": DEVELOPMENT_SECRETS["TOKEN_KEYS"]}))

