"""`python -m api serve` (same as `lantunan serve`)."""

import sys

from api.cli import main

sys.exit(main())
