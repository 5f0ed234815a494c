"""What a benchmark run measures: :class:`Config`, JSON-serialisable so that the parent
process can hand it to the measuring child as one argument."""
import dataclasses
import json
from typing import List, Optional

from .peers import IMPLEMENTATIONS


@dataclasses.dataclass
class Config:
    """The networks (``sizes``, a list of layer-size lists), the training step (``batch``,
    ``eta``), ``threads`` for every implementation, the interleaved ``rounds``, the
    implementations to run (``only``) and where data and results are (``data``,
    ``json``); ``markdown``: also print the summary table of all networks; ``baseline``:
    a folder holding another fastnet checkout, timed beside this one; ``command`` is the
    command line, kept for the record."""
    sizes: List[List[int]] = dataclasses.field(default_factory=lambda: [[784, 30, 10]])
    batch: int = 10
    eta: float = 3.0
    threads: int = 1
    rounds: int = 5
    epochs_per_call: int = 3
    ref_examples: int = 2000
    only: List[str] = dataclasses.field(default_factory=lambda: list(IMPLEMENTATIONS))
    data: Optional[str] = None
    json: Optional[str] = None
    markdown: bool = False
    accuracy_epochs: int = 0
    limit: Optional[int] = None
    seed: int = 12345
    check_examples: int = 200
    baseline: Optional[str] = None
    command: Optional[str] = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Config":
        return cls(**json.loads(text))
