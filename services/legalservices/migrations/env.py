from fazhi_common.migrate import run_env
from legalservices.models import Base

run_env(Base.metadata)
