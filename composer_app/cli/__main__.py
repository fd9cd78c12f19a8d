"""``python -m composer_app.cli``."""

import sys

from composer_app.cli import main

sys.exit(main())
