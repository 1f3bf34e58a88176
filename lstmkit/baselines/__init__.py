"""Classical (non-LSTM) baselines that the applications measure the LSTM against.

One module per family: ``forecasting`` (naive, seasonal naive, ETS, ARIMA);
``radar`` (wavelet and statistical features of RCS sweeps + SVM or boosted trees);
``ngram`` (interpolated Kneser-Ney and add-k n-gram language models);
``ecg_rhythm`` (RR-interval irregularity from R peaks + logistic regression, for AF). A
baseline is modelling code, so it lives here rather than in :mod:`lstmkit.apps`,
which only composes.
"""
