"""Answers to the ask_* intents (:mod:`actions.answers.actions`), grounded in :mod:`knowledge`.

Private helpers: ``_followup`` (resolve topic, parameters, follow-up), ``_compose`` (one
composer per topic), ``_cues`` (word cues from ``cues.yml``), ``_timeline`` (schedule payloads).
"""
