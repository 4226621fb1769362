"""The evaluation service (justice + civil affairs): schemes, scoring, titles."""
