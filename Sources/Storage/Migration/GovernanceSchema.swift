import GRDB

/// The tables of tenants, API keys, policies, bundle revisions and events, as
/// named migrations. Events and every versioned record are append-only: the
/// database refuses UPDATE and DELETE on them, not only the code.
public enum GovernanceSchema {
    /// The governance migrations, in order (registered through `ServiceSchema`).
    static let migrations: [SchemaMigration] = [
        SchemaMigration("governance-v1") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    content_key TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'auditor')),
                    key_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                );
                CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
                CREATE TABLE policies (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL,
                    latest_version INTEGER NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, id)
                );
                CREATE TABLE policy_versions (
                    tenant_id TEXT NOT NULL,
                    policy_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    module TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, policy_id, version),
                    FOREIGN KEY (tenant_id, policy_id) REFERENCES policies(tenant_id, id)
                );
                CREATE TABLE bundle_revisions (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    revision INTEGER NOT NULL,
                    members_json TEXT NOT NULL,
                    config_json TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, revision)
                );
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    kind TEXT NOT NULL CHECK (kind IN ('decision', 'external', 'admin')),
                    occurred_at_ms INTEGER NOT NULL,
                    surface TEXT,
                    actor TEXT,
                    provider TEXT,
                    model TEXT,
                    direction TEXT,
                    decision TEXT,
                    policy_version TEXT,
                    latency_us INTEGER,
                    fail_mode TEXT,
                    content_hmac TEXT,
                    content TEXT,
                    input_json TEXT NOT NULL,
                    reasons_json TEXT NOT NULL,
                    ledger_index INTEGER
                );
                CREATE INDEX events_tenant_time ON events(tenant_id, occurred_at_ms);
                CREATE INDEX events_tenant_seq ON events(tenant_id, seq);
                """)
            for table in ["events", "policy_versions", "bundle_revisions"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) are append-only'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) are append-only'); END;
                    """)
            }
        }
    ]
}
