"""`python -m claude_carthing` runs the command-line interface."""

from claude_carthing.launch import main

if __name__ == "__main__":
    main()
