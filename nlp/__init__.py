"""Rule-based symptom-fact extraction for the back-pain triage assistant (spaCy + medspaCy ConText)."""
