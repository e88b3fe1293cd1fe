"""``python -m missingcare.cli``: the same as the ``missingcare`` command."""

from missingcare.cli import main

if __name__ == "__main__":
    main()
