"""``python -m sim [+scenario=NAME] [key=value ...]``: run a scenario with Hydra."""

from sim.runs.cli import main

if __name__ == "__main__":
    main()
