"""torch, imported for CPU training on a machine whose cores other work shares.

OpenMP's worker threads spin while they wait for each other by default; when another process
holds the core one of them needs, the rest spin through their time slices. Passive waiting
(the threads sleep) made a two-thread training step 13 to 25 times faster on this project's
two-core machine while other jobs ran (0.6-1.2 s instead of 11-15 s), and costs nothing
measurable on an idle one. The variable is read when OpenMP starts, so every training module
imports torch from here.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

__all__ = ["torch"]
