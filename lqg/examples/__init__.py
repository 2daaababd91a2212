"""The paper's examples and N-player game families."""
from . import games, paper

__all__ = ["games", "paper"]
