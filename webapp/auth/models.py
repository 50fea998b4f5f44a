"""Staff accounts: who signs in to the back office, with which role and reach."""

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.agenda.models import Bassin, Organisation
from webapp.auth.states import AccountRole
from webapp.extensions import db
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow

account_bassins = Table(
    "account_bassins",
    db.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("bassin_id", ForeignKey("bassins.id", ondelete="CASCADE"), primary_key=True),
)


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (check_in("role", AccountRole, name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped when the password changes: sessions made before it end (Flask-Login's id).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = mapped_column(UTCDateTime)

    bassins: Mapped[list[Bassin]] = relationship(secondary=account_bassins, order_by=Bassin.slug)
    organisation: Mapped[Organisation | None] = relationship()

    # Flask-Login's user interface.
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    @property
    def is_anonymous(self):
        return False

    # The secret of the session this request runs in (auth.sessions), never stored as such.
    session_secret = None

    def get_id(self):
        return f"{self.id}:{self.session_secret}"


class StaffSession(db.Model):
    """One signed-in browser: its secret (hashed), when it began and was last used, and its
    user agent, so the account (and an admin) sees and ends it. No address is kept."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
