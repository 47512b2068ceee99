"""Migration scripts (0001 is regenerated until the first release)."""
