"""What the piano roll and the arrangement share: time scale, grid and snap, transport state, ruler."""
