"""The Rasa command line, without JAX: `python scripts/rasa_server.py run ...` = `rasa run ...`.

TensorFlow 2.12 (which Rasa 3.6 imports at start-up whatever the pipeline) imports JAX only to
offer converting JAX functions to TensorFlow Lite, inside a try/except ImportError
(tensorflow/lite/python/util.py). The assistant never does that, and its pipeline uses no
TensorFlow component. Marking jax as absent before anything imports TensorFlow makes that import
fail cleanly. Measured on the reference machine: -64 MB resident, -0.4 s start.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  ("import jax" -> ImportError)

from rasa.__main__ import main  # noqa: E402  (only after jax is marked absent)

if __name__ == "__main__":
    main()
