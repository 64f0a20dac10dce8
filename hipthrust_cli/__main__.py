"""Allow ``python -m hipthrust_cli``."""

from hipthrust_cli._entry import main

if __name__ == "__main__":
    main()
