from runtime.migrations import run_env
from services.search.store import metadata

run_env(metadata)
