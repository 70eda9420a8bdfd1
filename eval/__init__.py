"""What measures: metrics, baselines and reports against hand-labelled sets."""
