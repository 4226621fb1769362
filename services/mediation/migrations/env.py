from fazhi_common.migrate import run_env
from mediation.models import Base

run_env(Base.metadata)
