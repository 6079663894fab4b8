"""Random dispatch: "double random, one public" — risk-based target draws, inspector teams,
public and verifiable results."""
