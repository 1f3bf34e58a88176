"""Search spaces: which estimator parameters a tuning study varies, and over what range.

A space maps a parameter to how it is drawn. The keys are the estimator's own
parameters (``hidden_size``, ``layer``, ``dropout``, ...) or a field of its
:class:`~lstmkit.training.TrainingOptions` written ``training_options.<field>``
(``training_options.learning_rate``). Each value is one of

* ``{"type": "int", "low": 16, "high": 256, "log": true}`` (optional ``step``),
* ``{"type": "float", "low": 1e-4, "high": 1e-2, "log": true}`` (optional ``step``),
* ``{"type": "categorical", "choices": ["lstm", "bilstm"]}``,
* a plain value (a number, text, true/false or null): fixed for every trial.

The same mapping can live in a small YAML or JSON file (:func:`load_space`). Every
mistake is found before any training, and said naming the key: an unknown parameter
(with the known ones), ``low > high``, a log range that reaches 0, empty choices, an
unknown ``type``, a malformed file.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstmkit._checks import describe

__all__ = [
    "TRAINING_PREFIX",
    "Parameter",
    "SearchSpace",
    "default_space",
    "load_space",
    "split_params",
]

#: How a key names a TrainingOptions field.
TRAINING_PREFIX = "training_options."
#: The kinds of distribution a space entry may have.
KINDS = ("int", "float", "categorical")
#: Estimator parameters a space may not vary: the options as a whole (vary their fields
#: instead) and the run folder (trials train in temporary folders).
_NOT_TUNABLE = ("training_options", "run_dir")
#: What optuna can store as a categorical choice.
_CHOICE_TYPES = (type(None), bool, int, float, str)


@dataclass(frozen=True)
class Parameter:
    """One entry of a search space: a distribution, or a fixed value.

    Args:
        name: the key (``hidden_size`` or ``training_options.learning_rate``).
        kind: ``"int"``, ``"float"``, ``"categorical"`` or ``"fixed"``.
        low, high, step, log: the range of an int or float parameter.
        choices: the values of a categorical parameter.
        value: the value of a fixed parameter.

    Returns:
        A frozen dataclass; :meth:`suggest` draws it in an Optuna trial.

    Example:
        >>> p = Parameter("hidden_size", "int", low=16, high=64, log=True)
        >>> p.kind, p.low, p.high
        ('int', 16, 64)
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    value: Any = None

    def suggest(self, trial: Any) -> Any:
        """Draw this parameter in an Optuna ``trial`` (a fixed one is just returned).

        Args:
            trial: an ``optuna.trial.Trial`` (or FixedTrial).

        Returns:
            The value for this trial.

        Example:
            >>> import optuna
            >>> Parameter("layer", "categorical", choices=("lstm",)).suggest(
            ...     optuna.trial.FixedTrial({"layer": "lstm"}))
            'lstm'
        """
        if self.kind == "int":
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log
            )
        if self.kind == "float":
            return trial.suggest_float(
                self.name, float(self.low), float(self.high), step=self.step, log=self.log
            )
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        return self.value

    def to_dict(self) -> Any:
        """This entry in the form a space file writes it (a fixed one: its plain value).

        Args:
            None.

        Returns:
            A JSON-ready dict (or the fixed value).

        Example:
            >>> Parameter("dropout", "float", low=0.0, high=0.5).to_dict()
            {'type': 'float', 'low': 0.0, 'high': 0.5}
        """
        if self.kind == "fixed":
            return self.value
        if self.kind == "categorical":
            return {"type": "categorical", "choices": list(self.choices)}
        entry: dict[str, Any] = {"type": self.kind, "low": self.low, "high": self.high}
        if self.step is not None:
            entry["step"] = self.step
        if self.log:
            entry["log"] = True
        return entry


@dataclass(frozen=True)
class SearchSpace:
    """A checked search space: the parameters a study varies (or fixes).

    Build one with :meth:`from_dict` (a Python mapping) or :func:`load_space` (a YAML
    or JSON file); both check every entry against the estimator's parameters.

    Args:
        parameters: the entries, in the order given.

    Returns:
        A frozen dataclass.

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> space = SearchSpace.from_dict(
        ...     {"hidden_size": {"type": "int", "low": 16, "high": 64},
        ...      "training_options.learning_rate": {"type": "float", "low": 1e-3,
        ...                                         "high": 1e-2, "log": True}},
        ...     SequenceClassifier)
        >>> [p.name for p in space.parameters]
        ['hidden_size', 'training_options.learning_rate']
    """

    parameters: tuple[Parameter, ...]

    @classmethod
    def from_dict(cls, space: Any, estimator: Any) -> SearchSpace:
        """Check a space given as a mapping against ``estimator``'s parameters.

        Args:
            space: key -> entry (see the module docstring); a :class:`SearchSpace` is
                checked again against ``estimator``.
            estimator: the estimator class (or an instance) whose parameters the keys name.

        Returns:
            The :class:`SearchSpace`.

        Raises:
            ValueError / TypeError: a malformed entry or an unknown key, naming it.

        Example:
            >>> from lstmkit.tasks import SequenceClassifier
            >>> SearchSpace.from_dict({"hidden_sise": 8}, SequenceClassifier)
            Traceback (most recent call last):
            ...
            ValueError: space key 'hidden_sise' is not a parameter of SequenceClassifier ...
        """
        if isinstance(space, SearchSpace):
            space = space.to_dict()
        if not isinstance(space, Mapping):
            raise TypeError(
                f"space must be a dict of parameter -> distribution (or a YAML/JSON file "
                f"path); received {describe(space)}"
            )
        if not space:
            raise ValueError("space must name at least one parameter; received an empty dict")
        estimator_fields, option_fields = _tunable_names(estimator)
        name = estimator.__name__ if isinstance(estimator, type) else type(estimator).__name__
        parameters = []
        for key, entry in space.items():
            _check_key(key, estimator_fields, option_fields, name)
            parameters.append(_parameter(key, entry))
        return cls(tuple(parameters))

    def to_dict(self) -> dict[str, Any]:
        """The space as a plain mapping (what :meth:`from_dict` and a space file take).

        Args:
            None.

        Returns:
            key -> entry, JSON-ready.

        Example:
            >>> SearchSpace((Parameter("num_layers", "fixed", value=2),)).to_dict()
            {'num_layers': 2}
        """
        return {p.name: p.to_dict() for p in self.parameters}

    def suggest(self, trial: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Draw every parameter in ``trial``.

        Args:
            trial: an Optuna trial.

        Returns:
            ``(estimator_params, training_option_overrides)``: the drawn values, split
            into the estimator's own parameters and TrainingOptions fields.

        Example:
            >>> import optuna
            >>> space = SearchSpace((Parameter("hidden_size", "int", low=8, high=16),
            ...                      Parameter("training_options.max_epochs", "fixed", value=3)))
            >>> space.suggest(optuna.trial.FixedTrial({"hidden_size": 12}))
            ({'hidden_size': 12}, {'max_epochs': 3})
        """
        return split_params({p.name: p.suggest(trial) for p in self.parameters})


def split_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``{key: value}`` of a space split into estimator parameters and option fields.

    Args:
        params: space keys -> values (e.g. a study's ``best_params``).

    Returns:
        ``(estimator_params, training_option_overrides)``.

    Example:
        >>> split_params({"layer": "gru", "training_options.learning_rate": 0.01})
        ({'layer': 'gru'}, {'learning_rate': 0.01})
    """
    estimator, options = {}, {}
    for key, value in params.items():
        if key.startswith(TRAINING_PREFIX):
            options[key.removeprefix(TRAINING_PREFIX)] = value
        else:
            estimator[key] = value
    return estimator, options


def load_space(source: Any, estimator: Any) -> SearchSpace:
    """A search space from a mapping, or from a ``.yaml``/``.yml``/``.json`` file.

    Args:
        source: a mapping, a :class:`SearchSpace`, or the path of a YAML or JSON file
            holding the mapping.
        estimator: the estimator class (or instance) whose parameters the keys name.

    Returns:
        The checked :class:`SearchSpace`.

    Raises:
        ValueError: a missing or malformed file, or a malformed entry (naming the file
            and key).
        TypeError: ``source`` is none of the above.

    Example:
        >>> import pathlib, tempfile
        >>> from lstmkit.tasks import SequenceClassifier
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "space.yaml"
        >>> _ = path.write_text("layer: {type: categorical, choices: [lstm, bilstm]}\\n")
        >>> load_space(path, SequenceClassifier).parameters[0].choices
        ('lstm', 'bilstm')
    """
    if isinstance(source, Mapping | SearchSpace):
        return SearchSpace.from_dict(source, estimator)
    if not isinstance(source, str | os.PathLike):
        raise TypeError(
            f"space must be a dict, a SearchSpace or the path of a .yaml/.json file; "
            f"received {describe(source)}"
        )
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ValueError(f"space file {str(path)!r} must end in .yaml, .yml or .json")
    if not path.is_file():
        raise ValueError(f"space file {str(path)!r}: no such file")
    text = path.read_text(encoding="utf-8")
    try:
        if suffix == ".json":
            document = json.loads(text)
        else:
            import yaml

            document = yaml.safe_load(text)
    except (ValueError, ImportError) as error:  # json's and yaml's parse errors are ValueErrors
        raise ValueError(f"space file {str(path)!r} is not valid {suffix[1:].upper()}: "
                         f"{' '.join(str(error).split())}") from error  # fmt: skip
    except Exception as error:  # yaml.YAMLError is not a ValueError
        raise ValueError(
            f"space file {str(path)!r} is not valid YAML: {' '.join(str(error).split())}"
        ) from error
    if not isinstance(document, Mapping):
        raise ValueError(
            f"space file {str(path)!r} must hold a mapping of parameter -> distribution; "
            f"it holds {describe(document)}"
        )
    try:
        return SearchSpace.from_dict(document, estimator)
    except (ValueError, TypeError) as error:
        raise type(error)(f"space file {str(path)!r}: {error}") from error


def default_space(estimator: Any) -> SearchSpace:
    """A reasonable space for an estimator when none is given (``lstmkit tune`` without
    ``--space``): layer kind, width, depth, dropout and learning rate; for a classifier
    also the architecture (plain recurrent or LSTM-FCN).

    Args:
        estimator: the estimator class (or instance); a ``Forecaster`` is offered only
            unidirectional layers.

    Returns:
        A :class:`SearchSpace`.

    Example:
        >>> from lstmkit.tasks import Forecaster
        >>> default_space(Forecaster).to_dict()["layer"]
        {'type': 'categorical', 'choices': ['lstm', 'gru']}
    """
    cls = estimator if isinstance(estimator, type) else type(estimator)
    forecaster = cls.__name__ == "Forecaster"  # bidirectional layers would see the future
    layers = ["lstm", "gru"] if forecaster else ["lstm", "bilstm", "gru", "bigru"]
    space = {
        "layer": {"type": "categorical", "choices": layers},
        "hidden_size": {"type": "int", "low": 16, "high": 256, "log": True},
        "num_layers": {"type": "int", "low": 1, "high": 2},
        "dropout": {"type": "float", "low": 0.0, "high": 0.5},
        "training_options.learning_rate": {"type": "float", "low": 3e-4, "high": 3e-2, "log": True},
    }
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    if cls.__name__ == "SequenceClassifier" and "architecture" in fields:
        # LSTM-FCN (a convolutional branch beside the LSTM) is the strongest published
        # LSTM family on the UEA/UCR sets; let the search weigh it against the plain one
        space = {"architecture": {"type": "categorical", "choices": ["recurrent", "lstm-fcn"]},
                 **space}  # fmt: skip
    return SearchSpace.from_dict(space, cls)


# ---------------------------------------------------------------------- checks
def _tunable_names(estimator: Any) -> tuple[list[str], list[str]]:
    from lstmkit.training import TrainingOptions

    cls = estimator if isinstance(estimator, type) else type(estimator)
    if not dataclasses.is_dataclass(cls):
        raise TypeError(
            f"estimator must be an lstmkit estimator (a dataclass of parameters); "
            f"received {describe(estimator)}"
        )
    names = [f.name for f in dataclasses.fields(cls) if f.init and f.name not in _NOT_TUNABLE]
    return names, [f.name for f in dataclasses.fields(TrainingOptions)]


def _check_key(key: Any, estimator_fields: list[str], option_fields: list[str], name: str) -> None:
    if not isinstance(key, str):
        raise TypeError(f"space keys must be parameter names (str); received {describe(key)}")
    if key.startswith(TRAINING_PREFIX):
        field = key.removeprefix(TRAINING_PREFIX)
        if field not in option_fields:
            raise ValueError(
                f"space key {key!r}: {field!r} is not a TrainingOptions field; "
                f"known: {', '.join(option_fields)}"
            )
        return
    if key in _NOT_TUNABLE:
        why = (
            "vary its fields as 'training_options.<field>'"
            if key == "training_options"
            else "trials train in temporary folders"
        )
        raise ValueError(f"space key {key!r} cannot be tuned as a whole; {why}")
    if key not in estimator_fields:
        raise ValueError(
            f"space key {key!r} is not a parameter of {name} (known: "
            f"{', '.join(estimator_fields)}; TrainingOptions fields are written "
            f"'training_options.<field>')"
        )


def _number(key: str, what: str, value: Any, integer: bool) -> float:
    kind = "an int" if integer else "a number"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or not math.isfinite(float(value)):
        raise TypeError(f"space key {key!r}: {what} must be {kind}; received {describe(value)}")
    return int(value) if integer else float(value)


def _parameter(key: str, entry: Any) -> Parameter:
    if isinstance(entry, _CHOICE_TYPES):
        return Parameter(key, "fixed", value=entry)
    if not isinstance(entry, Mapping):
        raise TypeError(
            f"space key {key!r}: expected a distribution such as "
            f"{{'type': 'int', 'low': 1, 'high': 4}} or a fixed number/text; "
            f"received {describe(entry)}"
        )
    kind = entry.get("type")
    if kind not in KINDS:
        raise ValueError(
            f"space key {key!r}: 'type' must be one of {', '.join(KINDS)}; received {kind!r}"
        )
    ranged = {"type", "low", "high", "step", "log"}
    allowed = {"type", "choices"} if kind == "categorical" else ranged
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(
            f"space key {key!r}: unknown setting(s) {unknown} for type {kind!r}; "
            f"allowed: {sorted(allowed)}"
        )
    if kind == "categorical":
        choices = entry.get("choices")
        if not isinstance(choices, list | tuple) or not choices:
            raise ValueError(
                f"space key {key!r}: 'choices' must be a non-empty list; received "
                f"{describe(choices)}"
            )
        for choice in choices:
            if not isinstance(choice, _CHOICE_TYPES):
                raise TypeError(
                    f"space key {key!r}: each choice must be a number, text, true/false or "
                    f"null; received {describe(choice)}"
                )
        if len(set(map(repr, choices))) != len(choices):
            raise ValueError(f"space key {key!r}: 'choices' repeats a value: {list(choices)}")
        return Parameter(key, "categorical", choices=tuple(choices))
    for required in ("low", "high"):
        if required not in entry:
            raise ValueError(f"space key {key!r}: a {kind} range needs 'low' and 'high'")
    integer = kind == "int"
    low = _number(key, "'low'", entry["low"], integer)
    high = _number(key, "'high'", entry["high"], integer)
    if low > high:
        raise ValueError(f"space key {key!r}: 'low' ({low}) must be <= 'high' ({high})")
    log = entry.get("log", False)
    if not isinstance(log, bool):
        raise TypeError(f"space key {key!r}: 'log' must be true or false; received {describe(log)}")
    step = entry.get("step")
    if step is not None:
        step = _number(key, "'step'", step, integer)
        if step <= 0:
            raise ValueError(f"space key {key!r}: 'step' must be > 0; received {step}")
        if log and (not integer or step != 1):
            raise ValueError(f"space key {key!r}: 'step' cannot be combined with 'log'")
    if log and low <= 0:
        raise ValueError(f"space key {key!r}: a log range needs 'low' > 0; received low={low}")
    return Parameter(key, kind, low=low, high=high, step=step, log=log)
