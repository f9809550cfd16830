"""What must never leave a process: message text in logs (logs.py). No Rasa import."""
