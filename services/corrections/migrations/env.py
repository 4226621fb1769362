from corrections.models import Base
from fazhi_common.migrate import run_env

run_env(Base.metadata)
