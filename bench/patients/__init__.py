"""Simulated patients: personas (data), the REST driver and the judge (bench/simulated_patients.py)."""
