"""Training of the note-continuation transformer: dataset, PyTorch model, training loop, export."""
