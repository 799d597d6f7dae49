"""Support assistant for the Digital Message service: FAQ answers, onboarding actions, handoff."""

__version__ = "0.2.0"
