"""Question answering over the plan records: understanding, structured answers, cited passages."""
from qa.engine import Engine, answer, documents, get_engine, warm_up
from qa.frame import Frame
from qa.types import Answer, AnswerStatus, Citation, Confidence, DocumentRef, IndicatorRow, Interpretation, ProjectRef

__all__ = ["Answer", "AnswerStatus", "Citation", "Confidence", "DocumentRef", "Engine", "Frame", "IndicatorRow", "Interpretation", "ProjectRef",
           "answer", "documents", "get_engine", "warm_up"]
