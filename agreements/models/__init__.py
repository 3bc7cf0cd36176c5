from .agreement import (
    COMMUNITY_NAME_CACHE_KEY,
    MAX_TEXT_LENGTH,
    PROCEDURE_SLUG,
    Agreement,
    AgreementQuerySet,
    Community,
    Edition,
    FormingProgress,
    forming_progress,
)
from .amendment import Amendment, AmendmentQuerySet, Comment, Procedure, Vote
from .collision import Collision
from .source import SourceCheck

__all__ = [
    "COMMUNITY_NAME_CACHE_KEY",
    "MAX_TEXT_LENGTH",
    "PROCEDURE_SLUG",
    "Agreement",
    "AgreementQuerySet",
    "Amendment",
    "AmendmentQuerySet",
    "Collision",
    "Comment",
    "Community",
    "Edition",
    "FormingProgress",
    "Procedure",
    "SourceCheck",
    "Vote",
    "forming_progress",
]
