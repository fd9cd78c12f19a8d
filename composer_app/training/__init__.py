"""Training data layer: corpus readers, the common Piece representation, splits and statistics."""
