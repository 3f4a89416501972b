-- Files imported by `flowtrace import` (Workato export trees), per project and
-- source, so that running an import again skips what is already stored. A file
-- is identified by its path in the tree and the SHA-256 of its content: a file
-- changed since is imported again.
CREATE TABLE IF NOT EXISTS flowtrace_imports (
    ProjectId LowCardinality(String),
    Source String,
    Path String,
    Sha256 String,
    Items UInt32,
    ImportedAt DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(ImportedAt)
ORDER BY (ProjectId, Source, Path, Sha256);
