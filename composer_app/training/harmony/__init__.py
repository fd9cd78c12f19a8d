"""Training, export and evaluation of the harmonizer (torch only in model_torch and train)."""
