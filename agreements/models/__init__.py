from .agreement import (
    COMMUNITY_NAME_CACHE_KEY,
    MAX_TEXT_LENGTH,
    PROCEDURE_SLUG,
    Agreement,
    AgreementQuerySet,
    Community,
    Edition,
)
from .amendment import Amendment, AmendmentQuerySet, Comment, Procedure, Vote
from .source import SourceCheck

__all__ = [
    "COMMUNITY_NAME_CACHE_KEY",
    "MAX_TEXT_LENGTH",
    "PROCEDURE_SLUG",
    "Agreement",
    "AgreementQuerySet",
    "Amendment",
    "AmendmentQuerySet",
    "Comment",
    "Community",
    "Edition",
    "Procedure",
    "SourceCheck",
    "Vote",
]
