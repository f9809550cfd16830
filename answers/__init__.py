"""Question-aware answer interpretation: (pending question, message) -> a typed answer.

The layer between the language understanding (nlp/, which finds fact mentions in text) and the
planner (dialogue/, which decides what to say). It imports the triage core for the fact schema and
nothing of Rasa or spaCy, so it runs in the action server and in tests alike.
"""
