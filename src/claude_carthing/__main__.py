"""`python -m claude_carthing` runs the command-line interface."""

from claude_carthing.cli import main

if __name__ == "__main__":
    main()
