"""Infrastructure code: the state machine definitions and the local stack."""
