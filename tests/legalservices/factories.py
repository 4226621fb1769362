"""Builders for legal services test data: legal aid's deadline rules from the service's
own config.yml (units and parties come from tests.mediation.factories)."""
from pathlib import Path

from fazhi_common.config import load_config
from fazhi_common.workdays import WorkingCalendar
from legalservices.deadlines import LegalAidRules

CONFIG = load_config(Path(__file__).resolve().parents[2]
                     / "services/legalservices/config.yml", environ={})
DEADLINES = LegalAidRules.from_config(CONFIG["LEGAL_AID_RULES"], WorkingCalendar())
L = "/api/v1/legal-services"
