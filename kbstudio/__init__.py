"""KB Studio: knowledge base and escalation SOP authoring for tiered IT support."""

__version__ = "0.1.0"
