"""``python -m asnsql``: the same command line as ``asnsql``."""

from asnsql.cli import main

if __name__ == "__main__":
    main()
