#!/usr/bin/env python3
"""Writes the statistics loader's fixtures: one small frame written by pandas, pyarrow and polars with every
column type a researcher's tools produce, plus files that must be refused with the column named.

    pip install pandas pyarrow polars
    python3 scripts/gen-frame-fixtures.py          # writes tests/fixtures/frames/

The same 60 students × 2 waves are written every time (deterministic); `reference.csv` holds them as plain
text written by the csv module, and the Rust test (src/stats/tests/frames.rs) checks that every fixture
loads to the same frame. Tests only read the committed files; run this script only to change them.
"""

import csv
import os

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "frames")
SCHOOLS = ["Greenwood", "Riverside", "Hillcrest"]


def rows():
    out = []
    for s in range(60):
        for wave in (1, 2):
            item = lambda k: None if (s * 3 + k + wave) % 17 == 0 else (s + k * wave) % 4
            out.append(
                {
                    "uid": f"S{s:04d}",
                    "wave": wave,
                    "school": SCHOOLS[s % 3],
                    "yearGroup": 7 + s % 5,
                    "class": f"{7 + s % 5}{'AB'[s % 2]}",
                    "sex": "F" if s % 2 else "M",
                    "d_age": 11 + s % 5 + (wave - 1),
                    **{f"phq9_{k}": item(k) for k in range(1, 10)},
                }
            )
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    data = rows()
    cols = list(data[0].keys())
    with open(os.path.join(OUT, "reference.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in data:
            w.writerow({k: "" if v is None else v for k, v in r.items()})

    items = [f"phq9_{k}" for k in range(1, 10)]

    # pandas: small integers (int8 items, int16 wave/yearGroup as pandas and the seed's generator write
    # them), nullable Int8/UInt16 items, a float32 item, a categorical school, object strings.
    df = pd.DataFrame(data)
    df["wave"] = df["wave"].astype("int16")
    df["yearGroup"] = df["yearGroup"].astype("int16")
    df["d_age"] = df["d_age"].astype("uint8")
    df["school"] = df["school"].astype("category")
    df["phq9_1"] = df["phq9_1"].astype("Int8")
    df["phq9_2"] = df["phq9_2"].astype("UInt16")
    df["phq9_3"] = df["phq9_3"].astype("float32")
    df["phq9_4"] = df["phq9_4"].astype("Int64")
    for k in items[4:]:
        df[k] = df[k].astype("Int8")
    df.to_parquet(os.path.join(OUT, "pandas.parquet"), index=False)
    df.to_csv(os.path.join(OUT, "pandas.csv"), index=False)

    # pyarrow: large_string uid, dictionary<int32, string> school, unsigned and signed widths, float32/64.
    types = {
        "uid": pa.large_string(),
        "wave": pa.uint8(),
        "school": pa.dictionary(pa.int32(), pa.string()),
        "yearGroup": pa.uint16(),
        "class": pa.string(),
        "sex": pa.dictionary(pa.int8(), pa.large_string()),
        "d_age": pa.int32(),
        "phq9_1": pa.int8(),
        "phq9_2": pa.uint8(),
        "phq9_3": pa.int16(),
        "phq9_4": pa.uint16(),
        "phq9_5": pa.int32(),
        "phq9_6": pa.uint32(),
        "phq9_7": pa.int64(),
        "phq9_8": pa.float32(),
        "phq9_9": pa.float64(),
    }
    arrays = []
    for c in cols:
        values = [r[c] for r in data]
        t = types[c]
        if pa.types.is_dictionary(t):
            arrays.append(pa.array(values, type=t.value_type).dictionary_encode().cast(t))
        else:
            arrays.append(pa.array(values, type=t))
    table = pa.Table.from_arrays(arrays, names=cols)
    pq.write_table(table, os.path.join(OUT, "pyarrow.parquet"))

    # polars: Categorical school, Int16 wave, UInt64 and Int16 items, Float32, nulls.
    pdf = pl.DataFrame(data).with_columns(
        pl.col("school").cast(pl.Categorical),
        pl.col("wave").cast(pl.Int16),
        pl.col("yearGroup").cast(pl.Int8),
        pl.col("d_age").cast(pl.UInt16),
        pl.col("phq9_1").cast(pl.UInt64),
        pl.col("phq9_2").cast(pl.Int16),
        pl.col("phq9_3").cast(pl.Float32),
        *[pl.col(k).cast(pl.UInt8) for k in items[3:]],
    )
    pdf.write_parquet(os.path.join(OUT, "polars.parquet"))
    pdf.write_csv(os.path.join(OUT, "polars.csv"))

    # Refused, naming the column: a measure written as text, and a dimension that is a list.
    bad = pd.DataFrame(data)
    bad["phq9_2"] = bad["phq9_2"].map(lambda v: "often" if v == 3 else ("never" if v is None else str(v)))
    bad.to_parquet(os.path.join(OUT, "bad-text-measure.parquet"), index=False)
    listy = pa.Table.from_pylist(data)
    listy = listy.set_column(
        listy.column_names.index("school"), "school", pa.array([[r["school"]] for r in data], type=pa.list_(pa.string()))
    )
    pq.write_table(listy, os.path.join(OUT, "bad-list-dimension.parquet"))
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    np.random.seed(0)
    main()
