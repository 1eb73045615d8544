"""Archive-scale batch runs on Apache Spark (``storyline spark``) and their import
(``storyline load``).

The job distributes the single-process pipeline's own stages; see ``docs/scaling.md``
for how the work is partitioned and what is exact across partitions. Modules:

- ``stages``: per-file and per-article functions run on the executors;
- ``duplicates``: near-duplicate links by LSH banding with joins;
- ``partitions``: publication-order clustering of one (language, time window) partition;
- ``reconcile``: joining stories that cross partitions (union-find);
- ``rows``: the Parquet layout of the output;
- ``spark``: the job; ``load``: Parquet into a store.
"""
