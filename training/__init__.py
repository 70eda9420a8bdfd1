"""What learns: configs, labelled data, splits and the fine-tuning loop."""
