#!/usr/bin/python3
"""scikit-learn side of bench/Polymath.Learn.Bench: fits the same models on the same data, one JSON line per workload.

Usage: sklearn_fit.py --specs SPECS.json --threads N
SPECS.json is a list of {"name", "model", "params", "x", "y", "rows", "cols", "reps", "standardise"}; x and y are raw
float64 little-endian files written by the C# side, so both sides fit identical numbers. Each workload is fitted
once to warm up, then `reps` times; the median fit time is reported with the training score of the last fit.
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--specs", required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    import numpy as np
    import sklearn
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    models = {"logistic": LogisticRegression, "svc": SVC, "forest": RandomForestClassifier, "pca": PCA}
    for spec in json.load(open(args.specs)):
        x = np.fromfile(spec["x"], dtype="<f8").reshape(spec["rows"], spec["cols"])
        y = np.fromfile(spec["y"], dtype="<f8")
        if spec.get("standardise"):
            x = StandardScaler().fit_transform(x)
        params = dict(spec.get("params", {}))
        if spec["model"] == "forest":
            params["n_jobs"] = args.threads
        times = []
        model = None
        for rep in range(spec["reps"] + 1):
            model = models[spec["model"]](**params)
            t0 = time.perf_counter()
            if spec["model"] == "pca":
                model.fit(x)
            else:
                model.fit(x, y)
            if rep > 0:  # rep 0 warms caches and imports
                times.append(time.perf_counter() - t0)
        score = float(model.explained_variance_ratio_.sum()) if spec["model"] == "pca" else float(model.score(x, y))
        print(json.dumps({"name": spec["name"], "seconds": float(np.median(times)), "score": score,
                          "sklearn": sklearn.__version__}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
