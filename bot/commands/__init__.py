"""Sub-commands of ``aigo``, one module per area."""
