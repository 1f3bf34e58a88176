"""The cells, one file each: equations (the reference), parameters, initialisation, the
single-step module, and the description the layer machinery consumes."""

from lstmkit.nn.cells.base import CellDescription, CellModule, StatePart, TorchCounterpart
from lstmkit.nn.cells.gru import GRUCell, GRUDescription, GRUSpec, gru_step
from lstmkit.nn.cells.lstm import LSTMCell, LSTMDescription, LSTMSpec, lstm_step
from lstmkit.nn.cells.rnn import RNNCell, RNNDescription, RNNSpec, rnn_step

__all__ = [
    "CellDescription",
    "CellModule",
    "GRUCell",
    "GRUDescription",
    "GRUSpec",
    "LSTMCell",
    "LSTMDescription",
    "LSTMSpec",
    "RNNCell",
    "RNNDescription",
    "RNNSpec",
    "StatePart",
    "TorchCounterpart",
    "gru_step",
    "lstm_step",
    "rnn_step",
]
