import GRDB

/// The ledger's tables.
///
/// * `ledger_records`: every record in full, as its canonical (RFC 8785) JSON,
///   with its leaf hash, in leaf order per tenant. Append-only: triggers abort
///   any UPDATE or DELETE, whatever code runs against the file.
/// * `ledger_tiles`: the Merkle tree as tlog-tiles lays it out (height 8):
///   tile (level L, index N) holds up to 256 hashes of tree level 8·L. A
///   partial tile grows in place until full. Derived data: `verify` rebuilds
///   it from the records and compares.
/// * `ledger_trees`: per tenant, the committed tree size and root.
/// * `ledger_checkpoints`: every signed checkpoint, append-only.
enum LedgerSchema {
    /// The ledger area's migrations, in order.
    static let migrations: [SchemaMigration] = [
        SchemaMigration("ledger.v1") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_records (
                    tenant_id  TEXT    NOT NULL,
                    leaf_index INTEGER NOT NULL CHECK (leaf_index >= 0),
                    record     TEXT    NOT NULL,
                    leaf_hash  BLOB    NOT NULL CHECK (length(leaf_hash) = 32),
                    PRIMARY KEY (tenant_id, leaf_index)
                );
                CREATE TRIGGER ledger_records_no_update BEFORE UPDATE ON ledger_records
                BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;
                CREATE TRIGGER ledger_records_no_delete BEFORE DELETE ON ledger_records
                BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;

                CREATE TABLE ledger_tiles (
                    tenant_id  TEXT    NOT NULL,
                    level      INTEGER NOT NULL CHECK (level >= 0),
                    tile_index INTEGER NOT NULL CHECK (tile_index >= 0),
                    hashes     BLOB    NOT NULL CHECK (length(hashes) % 32 = 0 AND length(hashes) BETWEEN 32 AND 8192),
                    PRIMARY KEY (tenant_id, level, tile_index)
                );

                CREATE TABLE ledger_trees (
                    tenant_id TEXT    NOT NULL PRIMARY KEY,
                    size      INTEGER NOT NULL CHECK (size >= 0),
                    root      BLOB    NOT NULL CHECK (length(root) = 32)
                );

                CREATE TABLE ledger_checkpoints (
                    tenant_id  TEXT    NOT NULL,
                    tree_size  INTEGER NOT NULL CHECK (tree_size >= 0),
                    root       BLOB    NOT NULL CHECK (length(root) = 32),
                    note       TEXT    NOT NULL,
                    created_at TEXT    NOT NULL,
                    PRIMARY KEY (tenant_id, tree_size)
                );
                CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
                BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
                CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
                BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
                """)
        },
    ]
}
