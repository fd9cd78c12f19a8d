"""One reader per dataset, each with iter_pieces(root, limit) -> Iterator[Piece]."""
