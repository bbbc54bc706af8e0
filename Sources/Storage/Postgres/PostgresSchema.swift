/// The PostgreSQL schema: versioned migrations, row-level security and the
/// application role's grants.
///
/// Tenancy model:
/// * `tenants` is the directory of tenant ids and display names (no secrets);
///   the application may read all of it (it lists tenants and resolves ids).
/// * Every other table is tenant-owned: it has `tenant_id`, row-level security
///   `ENABLE`d and `FORCE`d (the owner is bound too), and one policy that
///   admits a row only when `tenant_id = current_setting('astral.tenant', true)`
///   for reading and writing. With no tenant set, the setting is NULL and no
///   row matches.
/// * `api_key_index` maps the SHA-256 of a raw key to its tenant, so that a
///   request can be authenticated before its tenant is known; the key itself
///   is then read under the tenant's policy.
/// * Events, ledger records, ledger checkpoints, policy versions and bundle
///   revisions are append-only for the application role: it is granted only
///   SELECT and INSERT on them, and a trigger refuses UPDATE and DELETE for
///   every role, the owner included.
/// * Events are range-partitioned by month on `occurred_at_ms`; partitions are
///   created ahead by the migration and on demand through the security-definer
///   function `astral_ensure_event_partition(bigint)`, so the application
///   role never needs CREATE.
enum PostgresSchema {
    /// The statements of migration 1 (tables, functions), before the security statements.
    static let version1: [String] = [
        """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE tenant_secrets (
            tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
            content_key TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'auditor')),
            key_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            revoked_at_ms BIGINT
        )
        """,
        """
        CREATE INDEX api_keys_tenant ON api_keys (tenant_id)
        """,
        """
        CREATE TABLE api_key_index (
            key_hash TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id)
        )
        """,
        """
        CREATE TABLE policies (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            id TEXT NOT NULL,
            latest_version BIGINT NOT NULL,
            deleted BOOLEAN NOT NULL DEFAULT false,
            created_at_ms BIGINT NOT NULL,
            updated_at_ms BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        )
        """,
        """
        CREATE TABLE policy_versions (
            tenant_id TEXT NOT NULL,
            policy_id TEXT NOT NULL,
            version BIGINT NOT NULL,
            module TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, policy_id, version),
            FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, id)
        )
        """,
        """
        CREATE TABLE bundle_revisions (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            revision BIGINT NOT NULL,
            members_json TEXT NOT NULL,
            config_json TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, revision)
        )
        """,
        """
        CREATE SEQUENCE events_seq AS BIGINT
        """,
        """
        CREATE TABLE events (
            seq BIGINT NOT NULL DEFAULT nextval('events_seq'),
            id TEXT NOT NULL,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            kind TEXT NOT NULL CHECK (kind IN ('decision', 'external', 'admin')),
            occurred_at_ms BIGINT NOT NULL,
            surface TEXT,
            actor TEXT,
            provider TEXT,
            model TEXT,
            direction TEXT,
            decision TEXT,
            policy_version TEXT,
            latency_us BIGINT,
            fail_mode TEXT,
            content_hmac TEXT,
            content TEXT,
            input_json TEXT NOT NULL,
            reasons_json TEXT NOT NULL,
            ledger_index BIGINT,
            PRIMARY KEY (tenant_id, occurred_at_ms, seq)
        ) PARTITION BY RANGE (occurred_at_ms)
        """,
        """
        CREATE INDEX events_tenant_id ON events (tenant_id, id)
        """,
        """
        CREATE INDEX events_tenant_seq ON events (tenant_id, seq)
        """,
        """
        CREATE TABLE ledger_records (
            tenant_id TEXT NOT NULL,
            leaf_index BIGINT NOT NULL CHECK (leaf_index >= 0),
            record TEXT NOT NULL,
            leaf_hash BYTEA NOT NULL CHECK (length(leaf_hash) = 32),
            PRIMARY KEY (tenant_id, leaf_index)
        )
        """,
        """
        CREATE TABLE ledger_tiles (
            tenant_id TEXT NOT NULL,
            level BIGINT NOT NULL CHECK (level >= 0),
            tile_index BIGINT NOT NULL CHECK (tile_index >= 0),
            hashes BYTEA NOT NULL CHECK (length(hashes) % 32 = 0 AND length(hashes) BETWEEN 32 AND 8192),
            PRIMARY KEY (tenant_id, level, tile_index)
        )
        """,
        """
        CREATE TABLE ledger_trees (
            tenant_id TEXT PRIMARY KEY,
            size BIGINT NOT NULL CHECK (size >= 0),
            root BYTEA NOT NULL CHECK (length(root) = 32)
        )
        """,
        """
        CREATE TABLE ledger_checkpoints (
            tenant_id TEXT NOT NULL,
            tree_size BIGINT NOT NULL CHECK (tree_size >= 0),
            root BYTEA NOT NULL CHECK (length(root) = 32),
            note TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, tree_size)
        )
        """,
        """
        CREATE FUNCTION astral_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """,
        """
        CREATE FUNCTION astral_ensure_event_partition(month_start_ms BIGINT) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET timezone = 'UTC' AS $$
        DECLARE
            first_day timestamptz := date_trunc('month', to_timestamp(month_start_ms / 1000.0), 'UTC');
            next_day timestamptz := first_day + interval '1 month';
            partition_name text := 'events_' || to_char(first_day AT TIME ZONE 'UTC', 'YYYYMM');
        BEGIN
            IF to_regclass(partition_name) IS NULL THEN
                EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                    partition_name,
                    (extract(epoch FROM first_day) * 1000)::bigint,
                    (extract(epoch FROM next_day) * 1000)::bigint);
            END IF;
        END;
        $$
        """,
        """
        REVOKE ALL ON FUNCTION astral_ensure_event_partition(BIGINT) FROM PUBLIC
        """,
    ]

    /// The migrations, in order; migration `i` brings the schema to version `i + 1`.
    /// Released entries are never edited: a change is a new entry.
    static var migrations: [[String]] { [version1 + securityStatements] }

    /// Tenant-owned tables: RLS enabled and forced, one isolation policy each.
    static let tenantOwnedTables = [
        "tenant_secrets", "api_keys", "policies", "policy_versions", "bundle_revisions", "events",
        "ledger_records", "ledger_tiles", "ledger_trees", "ledger_checkpoints",
    ]

    /// Tables the application may only read and append to (plus a trigger refusing UPDATE/DELETE).
    static let appendOnlyTables = ["events", "ledger_records", "ledger_checkpoints", "policy_versions", "bundle_revisions"]

    /// Tables the application may read, insert and update (never delete).
    static let updatableTables = ["tenant_secrets", "api_keys", "policies", "ledger_tiles", "ledger_trees"]

    /// Tables shared by all tenants (no tenant data): readable and appendable by the application.
    static let directoryTables = ["tenants", "api_key_index"]

    /// The statements that set up row-level security and the append-only triggers (run once, with migration 1).
    static var securityStatements: [String] {
        var statements: [String] = []
        for table in tenantOwnedTables {
            statements.append("ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY")
            statements.append("ALTER TABLE \(table) FORCE ROW LEVEL SECURITY")
            statements.append("""
                CREATE POLICY \(table)_tenant_isolation ON \(table)
                USING (tenant_id = current_setting('astral.tenant', true))
                WITH CHECK (tenant_id = current_setting('astral.tenant', true))
                """)
        }
        for table in appendOnlyTables {
            statements.append("""
                CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                FOR EACH ROW EXECUTE FUNCTION astral_refuse_change()
                """)
        }
        return statements
    }

    /// The grants of the application role `role` (an identifier checked by `validate(role:)`); idempotent.
    static func grantStatements(role: String) -> [String] {
        let quoted = "\"\(role)\""
        var statements = ["GRANT USAGE ON SCHEMA public TO \(quoted)"]
        for table in appendOnlyTables + directoryTables {
            statements.append("GRANT SELECT, INSERT ON \(table) TO \(quoted)")
        }
        for table in updatableTables {
            statements.append("GRANT SELECT, INSERT, UPDATE ON \(table) TO \(quoted)")
        }
        statements.append("GRANT USAGE ON SEQUENCE events_seq TO \(quoted)")
        statements.append("GRANT EXECUTE ON FUNCTION astral_ensure_event_partition(BIGINT) TO \(quoted)")
        return statements
    }

    /// Checks that `role` is a plain lower-case SQL identifier (it is written into GRANT statements).
    static func validate(role: String) throws {
        let bytes = Array(role.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 63
            && bytes.enumerated().allSatisfy { index, byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"): true
                case UInt8(ascii: "0")...UInt8(ascii: "9"): index > 0
                default: false
                }
            }
        guard valid else {
            throw StorageError(
                .invalidConfiguration, "the application role must be 1-63 characters of a-z, 0-9 and '_', not starting with a digit")
        }
    }
}
