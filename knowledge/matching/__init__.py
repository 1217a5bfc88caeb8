"""Matching a member's question to a topic of the claim base — or to nothing."""

from .fusion import HybridMatcher
from .lexicon import Lexicon, LexiconError
from .matcher import Matcher
from .semantic import Embedder, VectorCache, load_encoder
from .types import Candidate, MatchResult, TopicDocument

__all__ = ["Candidate", "Embedder", "HybridMatcher", "Lexicon", "LexiconError", "MatchResult", "Matcher",
           "TopicDocument", "VectorCache", "load_encoder"]
