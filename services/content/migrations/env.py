from runtime.migrations import run_env
from services.content.store import metadata

run_env(metadata)
