"""detente.summary: stance by document, speaker, side and time over ``detente score`` output."""
