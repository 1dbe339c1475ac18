from runtime.migrations import run_env
from services.editorial.store import metadata

run_env(metadata)
