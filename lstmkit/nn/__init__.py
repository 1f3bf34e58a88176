"""The LSTM layer family as PyTorch modules.

:class:`LSTM`, :class:`GRU` and :class:`RNN` (with their single-step cells) take
``forward(x, state=None, lengths=None)``, serve padded batches without packing, expose
their gate activations, stream with ``step()``, and exchange weights with torch.nn.
"""

from lstmkit.nn.gru import GRU, GRUCell
from lstmkit.nn.initializers import set_gate_bias_
from lstmkit.nn.lstm import LSTM
from lstmkit.nn.lstm_cell import LSTMCell
from lstmkit.nn.rnn import RNN, RNNCell

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell", "set_gate_bias_"]
