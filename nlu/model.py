"""The NLU model: train from the data files, save/load one gzipped JSON file, parse messages.

``NLUModel.parse(text, now)`` returns Rasa's parse shape::

    {"text": str, "intent": {"name": str, "confidence": float},
     "entities": [{"entity", "value", "start", "end", "extractor"}, ...],
     "intent_ranking": [{"name", "confidence"}, ...]}  # at most 10, best first

with Rasa's FallbackClassifier semantics: when the best confidence is below ``threshold`` the intent
is ``nlu_fallback`` with confidence = threshold, inserted at the top of the ranking. A message
without any letter, digit or CJK character (empty, whitespace, emoji or punctuation only) is
``nlu_fallback`` with confidence 1.0, and so is a message that is only data: digits, or entities
that carry no intent of their own (:data:`DATA_ENTITIES`: a phone number, an e-mail, "第二梯",
"English please", "AI") plus filler words ("那…呢", "what about") — the dialogue reads its
entities as an answer to the open form or as a follow-up to the last topic. ``parse`` never
raises for any ``str``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nlu.classifier import IntentClassifier, train_classifier
from nlu.entities import EntityExtractor
from nlu.features import (
    LEXICON_PATH,
    SPELLING_PATH,
    Resources,
    chat_word,
    load_lexicon,
    load_spelling,
)
from nlu.normalize import normalize
from nlu.segment import TERMS_PATH, build_dictionary, load_terms
from nlu.training_data import TrainingData, load_training_data

__all__ = ["DATA_DIR", "FALLBACK", "NLUModel", "load_or_train", "train"]

DATA_DIR = Path(__file__).parent / "data"
FALLBACK = "nlu_fallback"
FORMAT = 1
RANKING_SIZE = 10
# "hi, can foreigners join?", 「你好 請問外國人可以參加嗎」: a greeting in front of a question. When
# the whole message reads as a greeting, the rest after it is parsed on its own and wins when it
# is confidently something else (「大家好 我是成大的學生」 stays a greeting).
_LEADING_GREETING = re.compile(
    r"^\s*(?:hi+|hello|hey|hiya|good (?:morning|afternoon|evening)|嗨+|哈囉+|哈啰+|你好|您好|妳好|"
    r"安安|早安|午安|晚安|大家好|哈嘍|hello there)[\s,，.。!！~～、]*"
    r"(?:請問一下|請問|请问一下|请问|想請問|想请问|excuse me|please)?[\s,，:：]*",
    re.IGNORECASE,
)
_REST_CONFIDENCE = 0.5
_ADDRESSEE = re.compile(
    r"aigo|小幫手|小帮手|機器人|机器人|\bbot\b|assistant|\bthere\b|\beveryone\b|\ball\b|"
    r"\bguys\b|\bfolks\b|\bteam\b|大家|各位|[\W_]",
    re.IGNORECASE,
)
TZ = ZoneInfo("Asia/Taipei")


# Entities that answer a question but do not say what the user wants; topic-bearing entities
# (milestone, award_tier, prize_stage), profile facts (age, nationality: "我25歲" asks
# whether one qualifies) and invite codes (→ join_team) are not here.
DATA_ENTITIES = frozenset({"phone", "email", "date", "amount", "round", "language", "expertise"})
_INVITE_ONLY = frozenset({"invite_code"})
_FILLER = re.compile(
    r"(?<![a-z])(?:what about|how about|and|the|for|please|pls|plz|then|ok|okay)(?![a-z])"
    r"|那個|那|呢|啊|啦|喔|哦|嗎|吧|的|請|是|我|就好|麻煩|可以|好|要|用|改"
)


def _has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _data_only(
    text: str, entities: list[dict[str, Any]], kinds: frozenset[str] = DATA_ENTITIES
) -> bool:
    """True when ``text`` without its ``kinds`` entities and filler words has no letter left
    (a chat number such as "88", bye, is a word)."""
    if chat_word(normalize(text).text):
        return False
    if not entities:
        return not any(c.isalpha() for c in text)  # digits and punctuation only
    if any(e["entity"] not in kinds for e in entities):
        return False
    chars = list(text)
    for e in entities:
        chars[e["start"] : e["end"]] = " " * (e["end"] - e["start"])
    rest = _FILLER.sub(" ", normalize("".join(chars)).text)
    return not any(c.isalpha() for c in rest)


class NLUModel:
    """A trained intent classifier plus the entity extractor built from the same data."""

    def __init__(
        self,
        classifier: IntentClassifier,
        extractor_data: dict[str, Any],
        threshold: float = 0.3,
        data_hash: str = "",
    ) -> None:
        self.classifier = classifier
        self.extractor_data = extractor_data
        self.extractor = EntityExtractor(extractor_data["lookups"], extractor_data["synonyms"])
        self.threshold = threshold
        self.data_hash = data_hash

    @property
    def intents(self) -> list[str]:
        """The intents the model knows (without ``nlu_fallback``)."""
        return list(self.classifier.intents)

    def rank(self, normalized_text: str) -> list[dict[str, Any]]:
        """All intents with confidences for an already normalised text, best first."""
        probs = (
            self.classifier.probabilities(normalized_text)
            if _has_content(normalized_text)
            else None
        )
        if probs is None:
            return [{"name": FALLBACK, "confidence": 1.0}]
        order = sorted(range(len(probs)), key=lambda i: (-float(probs[i]), i))
        return [{"name": self.intents[i], "confidence": float(probs[i])} for i in order]

    def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        """Parse ``text`` into Rasa's parse shape (see the module docstring); a greeting in
        front of a question is the question (:data:`_LEADING_GREETING`)."""
        text = text if isinstance(text, str) else str(text)
        when = now if now is not None else datetime.now(TZ)
        parsed = self._parse(text, when)
        greeting = _LEADING_GREETING.match(text) if parsed["intent"]["name"] == "greet" else None
        rest = text[greeting.end() :] if greeting else ""
        if len(_ADDRESSEE.sub("", rest)) < 3:  # 「嗨 AIGO小幫手」: only whom the greeting is for
            return parsed
        inner = self._parse(rest, when)
        if inner["intent"]["name"] in (FALLBACK, "greet"):
            return parsed
        if inner["intent"]["confidence"] < _REST_CONFIDENCE:
            return parsed
        shift = len(text) - len(rest)
        for entity in inner["entities"]:
            entity["start"] += shift
            entity["end"] += shift
        return {**inner, "text": text}

    def _parse(self, text: str, when: datetime) -> dict[str, Any]:
        norm = normalize(text)
        ranking = self.rank(norm.text)[:RANKING_SIZE]
        intent = dict(ranking[0])
        if intent["name"] != FALLBACK and intent["confidence"] < self.threshold:
            intent = {"name": FALLBACK, "confidence": self.threshold}
            ranking = [intent, *ranking][:RANKING_SIZE]
        entities = self.extractor.extract(norm, when) if norm.text else []
        if ranking[0]["name"] != FALLBACK and _data_only(text, entities):
            intent = {"name": FALLBACK, "confidence": 1.0}
            ranking = [intent, *ranking][:RANKING_SIZE]
        elif entities and _data_only(text, entities, _INVITE_ONLY):  # a pasted code: join with it
            intent = {"name": "join_team", "confidence": 1.0}
            ranking = [intent, *[r for r in ranking if r["name"] != "join_team"]][:RANKING_SIZE]
        return {"text": text, "intent": intent, "entities": entities, "intent_ranking": ranking}

    def save(self, path: Path) -> None:
        """Write the model atomically as gzipped JSON (byte-identical for the same data)."""
        doc = {
            "format": FORMAT,
            "data_hash": self.data_hash,
            "classifier": self.classifier.to_dict(),
            "entities": self.extractor_data,
        }
        payload = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(payload)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, threshold: float = 0.3) -> NLUModel:
        """Read a model written by :meth:`save`; raises ``ValueError`` if it is not one."""
        try:
            doc = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
            if doc.get("format") != FORMAT:
                raise ValueError(f"{path}: unknown model format {doc.get('format')!r}")
            classifier = IntentClassifier.from_dict(doc["classifier"])
            return cls(classifier, doc["entities"], threshold, doc.get("data_hash", ""))
        except (OSError, EOFError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable NLU model ({exc})") from exc


def _data_files(data_dir: Path) -> list[Path]:
    files = sorted(data_dir.glob("*.yml")) if data_dir.is_dir() else [data_dir]
    return [*files, LEXICON_PATH, SPELLING_PATH, TERMS_PATH]


def _data_hash(data_dir: Path) -> str:
    files = _data_files(data_dir)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_resources(texts: list[str]) -> Resources:
    """The feature resources for normalised training ``texts``: lexicon, misspellings, and the
    segmenter's dictionary (jieba's words found in the texts plus the programme's terms)."""
    return Resources(load_lexicon(), load_spelling(), build_dictionary(texts, load_terms()))


def model_from_data(data: TrainingData, threshold: float = 0.3, data_hash: str = "") -> NLUModel:
    """Train a model from already loaded training data."""
    texts = [normalize(e.text).text for e in data.examples]
    intents = [e.intent for e in data.examples]
    classifier = train_classifier(texts, intents, build_resources(texts))
    extractor_data = {"lookups": data.lookups, "synonyms": data.synonyms}
    return NLUModel(classifier, extractor_data, threshold, data_hash)


def train(data_dir: Path = DATA_DIR, threshold: float = 0.3) -> NLUModel:
    """Train from the YAML files in ``data_dir`` (or one file); deterministic for the same data."""
    return model_from_data(load_training_data(data_dir), threshold, _data_hash(data_dir))


def load_or_train(model_path: Path, data_dir: Path = DATA_DIR, threshold: float = 0.3) -> NLUModel:
    """Load ``model_path``; first (re)train and save it if it is missing, unreadable, older than
    any data file, or was trained from different data."""
    files = _data_files(data_dir)
    newest = max((p.stat().st_mtime for p in files), default=0.0)
    if model_path.exists() and model_path.stat().st_mtime >= newest:
        try:
            model = NLUModel.load(model_path, threshold)
            if model.data_hash == _data_hash(data_dir):
                return model
        except ValueError:
            pass
    model = train(data_dir, threshold)
    model.save(model_path)
    return model
