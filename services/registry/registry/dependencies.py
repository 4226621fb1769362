"""The registry's policy values, built once from config.yml (which states each default)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class RegistryPolicy:
    disclosure_grace_days: int      # a disclosure this long after its period is still on time
    health_check_yearly_target: int  # enterprise legal health checks a year (法律体检)
    election_notice_days: int       # announce a body's election this long before its term ends
    election_due_batch: int         # bodies announced per transaction

    @classmethod
    def from_config(cls, config):
        return cls(disclosure_grace_days=int(config["DISCLOSURE_GRACE_DAYS"]),
                   health_check_yearly_target=int(config["HEALTH_CHECK_YEARLY_TARGET"]),
                   election_notice_days=int(config["ELECTION_NOTICE_DAYS"]),
                   election_due_batch=int(config["ELECTION_DUE_BATCH"]))
