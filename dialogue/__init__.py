"""The conversation planner: what to say and ask next, from the typed answer (pure Python)."""
