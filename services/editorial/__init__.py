"""editorial: the board's review queue and decisions; emits RevisionApproved, RevisionRejected."""
