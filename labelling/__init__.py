"""Labelling your own negotiation: choose statements (sample), label them (annotate), exchange files (studio)."""

#: ``detente sample``'s strategies (here, not in sample.py, so the CLI names them without importing numpy).
STRATEGIES = ("mix", "uncertainty", "diverse", "stratified", "random")
DEFAULT_STRATEGY = "uncertainty"  # benchmarks/learning_curve.py: best or tied at k <= 50
