from fazhi_common.migrate import run_env
from registry.models import Base

run_env(Base.metadata)
