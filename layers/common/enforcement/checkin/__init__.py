"""Crew check-in: vessels and minimum safe manning, crew and certificates, the three checks."""
