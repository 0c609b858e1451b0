import sys

from contractgate.cli import main

sys.exit(main())
