from fazhi_common.migrate import run_env
from gateway.models import Base

run_env(Base.metadata, common_tables={"audit_entry"})
