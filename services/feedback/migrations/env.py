from runtime.migrations import run_env
from services.feedback import (  # noqa: F401  (their tables are on metadata)
    answer_templates,
    participation_store,
)
from services.feedback.store import metadata

run_env(metadata)
