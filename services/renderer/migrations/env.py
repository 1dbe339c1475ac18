from runtime.migrations import run_env
from services.renderer.store import metadata

run_env(metadata)
