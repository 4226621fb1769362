"""The declarative base of the tables every service has in its own database:
the outbox, the processed-event marks, and the audit log."""
from sqlalchemy.orm import DeclarativeBase


class CommonBase(DeclarativeBase):
    pass
