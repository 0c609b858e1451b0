"""pytest's own `pytester` lets the plugin's tests run pytest sessions of their own."""

pytest_plugins = ["pytester"]
