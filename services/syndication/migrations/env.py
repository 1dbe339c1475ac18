from runtime.migrations import run_env
from services.syndication.store import metadata

run_env(metadata)
