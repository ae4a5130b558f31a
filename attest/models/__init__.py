"""ORM models, one module per aggregate; imported here so Alembic and services see them all."""

from attest.models.admission import Admission
from attest.models.appointment import Booking, Slot
from attest.models.attestation import (
    Attestation,
    AttestationStatus,
    RevocationReason,
    SigningKey,
)
from attest.models.candidate import Candidate
from attest.models.capture import AnswerReceipt, RecordingChunk, RecordingUpload, ResponseDraft
from attest.models.interview import Interview
from attest.models.item import BankAdoption, BankState, Item, ItemReviewStep, ItemVersion
from attest.models.org import (
    AuditChainHead,
    AuditEvent,
    Centre,
    EndedSession,
    Kiosk,
    LoginThrottle,
    RecoveryCode,
    Role,
    User,
)
from attest.models.panel import BenchmarkText, CutScoreVersion, Panel, PanelJudgement, PanelMember
from attest.models.partner import PartnerOrganisation
from attest.models.rating import (
    Adjudication,
    AssignmentKind,
    Benchmark,
    CalibrationAttempt,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    RemarkRequest,
)
from attest.models.session import (
    Recording,
    Response,
    SectionAttempt,
    SectionClock,
    SectionLogEntry,
    SessionEvent,
    SessionItem,
    SessionStatus,
    SkillResult,
    TestSession,
)
from attest.models.studio import StudioClip

__all__ = [
    "Admission",
    "Adjudication",
    "AnswerReceipt",
    "AssignmentKind",
    "Attestation",
    "AttestationStatus",
    "AuditChainHead",
    "AuditEvent",
    "Interview",
    "BankState",
    "BenchmarkText",
    "Benchmark",
    "Booking",
    "CalibrationAttempt",
    "Candidate",
    "Centre",
    "CutScoreVersion",
    "EndedSession",
    "BankAdoption",
    "Item",
    "ItemReviewStep",
    "ItemVersion",
    "Kiosk",
    "LoginThrottle",
    "Performance",
    "PerformanceStatus",
    "Rating",
    "RatingAssignment",
    "Panel",
    "PanelJudgement",
    "PanelMember",
    "PartnerOrganisation",
    "Recording",
    "RecordingChunk",
    "RecordingUpload",
    "RemarkRequest",
    "RecoveryCode",
    "Response",
    "ResponseDraft",
    "RevocationReason",
    "Role",
    "SectionAttempt",
    "SectionLogEntry",
    "SectionClock",
    "SessionEvent",
    "SessionItem",
    "SessionStatus",
    "SigningKey",
    "SkillResult",
    "Slot",
    "StudioClip",
    "TestSession",
    "User",
]
