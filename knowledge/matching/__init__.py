"""Matching a member's question to a topic of the claim base — or to nothing."""

from .lexicon import Lexicon, LexiconError
from .matcher import Matcher
from .types import Candidate, MatchResult, TopicDocument

__all__ = ["Candidate", "Lexicon", "LexiconError", "MatchResult", "Matcher", "TopicDocument"]
