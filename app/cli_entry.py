"""`python -m app.cli_entry` runs the CLI without the installed console script."""

from app.cli import main

if __name__ == "__main__":
    main()
