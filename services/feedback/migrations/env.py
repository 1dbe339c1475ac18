from runtime.migrations import run_env
from services.feedback.store import metadata

run_env(metadata)
