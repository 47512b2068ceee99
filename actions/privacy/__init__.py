"""Privacy (Taiwan's Personal Data Protection Act): the notice, "my data" and "delete my data"
(:mod:`actions.privacy.actions`); texts organisers edit in ``texts.yml``."""
