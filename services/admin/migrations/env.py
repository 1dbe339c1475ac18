from runtime.migrations import run_env
from services.admin.store import metadata

run_env(metadata)
