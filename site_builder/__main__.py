"""`python -m site_builder` is the same as the `site-builder` command."""
from .cli import run

run()
