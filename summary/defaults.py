"""The summary's settings in one place."""

from __future__ import annotations

#: Bootstrap resamples for each interval, and the seed that makes a summary reproducible.
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 13
#: A group with more records than this is resampled in this many random blocks of its records
#: (records are hashed to a block by id), so 10 million records need no per-record resampling;
#: smaller groups are resampled record by record (the plain bootstrap).
BOOTSTRAP_BLOCKS = 32
#: Groups resampled together in one matrix product: bounds the memory of the bootstrap.
BOOTSTRAP_GROUPS_PER_BATCH = 2000
#: Columns every scores file must have, and the ones used when present.
REQUIRED_COLUMNS = ("id", "doc", "date", "speaker", "label", "tone")
OPTIONAL_COLUMNS = ("speaker_kind",)
PERIODS = ("day", "week", "month")
#: How many speakers and documents the report's plots show.
REPORT_TOP = 25
