"""Errors raised by the index layer; the CLI turns them into messages."""
from __future__ import annotations


class IndexLayerError(Exception):
    """Base class for every error of the index layer."""


class ModelError(IndexLayerError):
    """The embedding model cannot be built, validated or loaded (the message says what to do)."""


class IndexNotReadyError(IndexLayerError):
    """The search index cannot be used as it is; the message names the folder and says to run `python -m index build`."""


class IndexMissingError(IndexNotReadyError):
    """No search index has been built for the configured documents."""


class StaleIndexError(IndexNotReadyError):
    """The search index was built from other documents, another model or an older index format."""


class CorruptIndexError(IndexNotReadyError):
    """A file of the search index is missing, unreadable or does not match its recorded checksum."""


class IndexBuildError(IndexLayerError):
    """A build could not finish (no space left, say); the previous index, if any, is untouched."""


class QuestionSetError(IndexLayerError):
    """A retrieval question set is missing or malformed (the message names the file and question)."""
