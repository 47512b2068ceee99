"""AIGO Assistant: the service that wires knowledge, NLU, actions and the database together."""
