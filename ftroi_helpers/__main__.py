"""``python -m ftroi_helpers``: the command line (see :mod:`ftroi_helpers.cli`)."""

if __name__ == "__main__":
    from ftroi_helpers.cli import main

    raise SystemExit(main())
