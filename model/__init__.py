"""What predicts: segmentation into statements, the network, and the classifier API.

Never imports detente.training or detente.eval: scoring needs only torch,
transformers and a base model.
"""
