"""Natural-language understanding: Rasa-format training data and an embedded engine.

``load_or_train(model_path)`` gives an :class:`NLUModel`; ``NLUModel.parse(text, now)`` returns
Rasa's parse shape (intent, entities with offsets into the original text, intent ranking).
"""

from nlu.model import DATA_DIR, FALLBACK, NLUModel, load_or_train, train

__all__ = ["DATA_DIR", "FALLBACK", "NLUModel", "load_or_train", "train"]
