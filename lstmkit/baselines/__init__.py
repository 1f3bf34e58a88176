"""Classical (non-LSTM) baselines that the applications measure the LSTM against.

One module per family: ``forecasting`` (naive, seasonal naive, ETS, ARIMA). A
baseline is modelling code, so it lives here rather than in :mod:`lstmkit.apps`,
which only composes.
"""
