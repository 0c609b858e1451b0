"""contractgate: the command line, configuration, the gate and its reports.

The top layer: it starts the embedded stubs, builds a target, hands it to the suites in `providers/`
and turns their results into one verdict. Only `contractgate.cli` talks to the terminal.
"""

__version__ = "0.1.0"
