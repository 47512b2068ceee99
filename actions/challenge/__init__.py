"""The enterprise side: drafting, reviewing and submitting a challenge.

``form`` (the post_challenge form, start and submit actions), ``fields`` (per-field parsers),
``store`` (drafts, summary, limits), ``ask`` (the custom ask actions).
"""
