import PostgresNIO
import Seamless

extension PostgresStore {
    /// A named schema change. Migrations are append-only: never edit one that has shipped, add the next.
    struct Migration: Sendable {
        /// The name recorded in `seamless_migrations`.
        var name: String
        /// The statements, run in order in the migrating transaction.
        var statements: [String]
    }

    /// The schema, mirroring ``SQLiteStore``'s migrations v1–v6: documents as canonical JSON in `bytea`,
    /// moments as whole seconds in `bigint`. Text that is sorted or paged is `COLLATE "C"`, so the order
    /// is byte order, as in SQLite, whatever locale the cluster was created with.
    static let migrations: [Migration] = [
        Migration(
            name: "v1: catalog, lists, consents, agreements",
            statements: [
                """
                CREATE TABLE catalog_revision (
                    sequence bigserial PRIMARY KEY,
                    revision text COLLATE "C" NOT NULL UNIQUE,
                    recorded_at bigint NOT NULL,
                    entry_count bigint NOT NULL,
                    entries bytea NOT NULL)
                """,
                """
                CREATE TABLE responsibility_list (
                    department text COLLATE "C" PRIMARY KEY,
                    document bytea NOT NULL)
                """,
                """
                CREATE TABLE setting (
                    name text COLLATE "C" PRIMARY KEY,
                    document bytea NOT NULL)
                """,
                """
                CREATE TABLE consent (
                    id text COLLATE "C" PRIMARY KEY,
                    subject text COLLATE "C" NOT NULL,
                    document bytea NOT NULL)
                """,
                "CREATE INDEX consent_by_subject ON consent (subject)",
                """
                CREATE TABLE consent_status (
                    consent_id text COLLATE "C" NOT NULL REFERENCES consent (id) ON DELETE RESTRICT,
                    sequence bigint NOT NULL,
                    state text NOT NULL,
                    changed_at bigint NOT NULL,
                    changed_by text NOT NULL,
                    reason text,
                    PRIMARY KEY (consent_id, sequence))
                """,
                """
                CREATE TABLE agreement (
                    id text COLLATE "C" PRIMARY KEY,
                    requester text COLLATE "C" NOT NULL,
                    resource text COLLATE "C" NOT NULL,
                    state text NOT NULL,
                    document bytea NOT NULL)
                """,
            ]),
        Migration(
            name: "v2: audit log",
            statements: [
                """
                CREATE TABLE audit_entry (
                    sequence bigint PRIMARY KEY,
                    entry bytea NOT NULL,
                    leaf_hash bytea NOT NULL)
                """,
                """
                CREATE TABLE audit_checkpoint (
                    size bigint PRIMARY KEY,
                    note text NOT NULL)
                """,
            ]),
        Migration(
            name: "v3: catalog history",
            statements: [
                // When each revision became current, so a revision restored later keeps its whole timeline.
                """
                CREATE TABLE catalog_history (
                    sequence bigserial PRIMARY KEY,
                    revision text COLLATE "C" NOT NULL REFERENCES catalog_revision (revision),
                    recorded_at bigint NOT NULL)
                """,
                """
                INSERT INTO catalog_history (revision, recorded_at)
                SELECT revision, recorded_at FROM catalog_revision ORDER BY sequence
                """,
            ]),
        Migration(
            name: "v4: records, nonces, received records",
            statements: [
                """
                CREATE TABLE record (
                    resource text COLLATE "C" NOT NULL,
                    key text COLLATE "C" NOT NULL,
                    subject text COLLATE "C",
                    fields bytea NOT NULL,
                    version bigint NOT NULL,
                    updated_at bigint NOT NULL,
                    PRIMARY KEY (resource, key))
                """,
                "CREATE INDEX record_by_subject ON record (resource, subject)",
                "CREATE INDEX record_by_version ON record (resource, version)",
                """
                CREATE TABLE nonce (
                    issuer text COLLATE "C" NOT NULL,
                    nonce text COLLATE "C" NOT NULL,
                    valid_until bigint NOT NULL,
                    PRIMARY KEY (issuer, nonce))
                """,
                "CREATE INDEX nonce_by_until ON nonce (valid_until)",
                """
                CREATE TABLE received (
                    provider text COLLATE "C" NOT NULL,
                    resource text COLLATE "C" NOT NULL,
                    key text COLLATE "C" NOT NULL,
                    subject text COLLATE "C",
                    fields bytea NOT NULL,
                    request_hash text COLLATE "C" NOT NULL,
                    purpose text NOT NULL,
                    expires_at bigint NOT NULL,
                    PRIMARY KEY (provider, resource, key, request_hash))
                """,
                "CREATE INDEX received_by_request ON received (request_hash)",
                "CREATE INDEX received_by_subject ON received (provider, subject)",
                "CREATE INDEX received_by_expiry ON received (expires_at)",
                // Bumped by every change a policy decision depends on, so a serving replica rebuilds its
                // snapshot when (and only when) another one changed a consent, agreement, purpose or the
                // catalog. Its one row is also the lock that puts those changes in one order.
                """
                CREATE TABLE state_version (
                    id integer PRIMARY KEY CHECK (id = 1),
                    version bigint NOT NULL)
                """,
                "INSERT INTO state_version (id, version) VALUES (1, 0)",
                """
                CREATE TABLE disclosed_under_consent (
                    peer text COLLATE "C" NOT NULL,
                    subject text COLLATE "C" NOT NULL,
                    consent_id text COLLATE "C" NOT NULL,
                    PRIMARY KEY (consent_id, subject, peer))
                """,
                """
                CREATE TABLE subscription (
                    agreement_id text COLLATE "C" PRIMARY KEY,
                    document bytea NOT NULL,
                    cursor bigint NOT NULL,
                    last_sync_at bigint)
                """,
            ]),
        Migration(
            name: "v5: peers' catalogs and witnessed checkpoints",
            statements: [
                """
                CREATE TABLE peer_catalog (
                    peer text COLLATE "C" PRIMARY KEY,
                    revision text NOT NULL,
                    entries bytea NOT NULL,
                    seen_at bigint NOT NULL)
                """,
                """
                CREATE TABLE witnessed_checkpoint (
                    peer text COLLATE "C" PRIMARY KEY,
                    size bigint NOT NULL,
                    note text NOT NULL)
                """,
            ]),
        Migration(
            name: "v6: the consents received records came under",
            statements: ["ALTER TABLE received ADD COLUMN consent_ids text NOT NULL DEFAULT ','"]),
        // What every record of one answer shares is kept once per receipt, and only records received under
        // consent are indexed by subject (as in the SQLite store).
        Migration(
            name: "v7: received records grouped by receipt",
            statements: [
                """
                CREATE TABLE receipt (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    request_hash text COLLATE "C" NOT NULL UNIQUE,
                    provider text COLLATE "C" NOT NULL,
                    resource text COLLATE "C" NOT NULL,
                    purpose text NOT NULL,
                    expires_at bigint NOT NULL,
                    consent_ids text NOT NULL DEFAULT ',')
                """,
                "CREATE INDEX receipt_by_expiry ON receipt (expires_at)",
                "CREATE INDEX receipt_by_provider ON receipt (provider)",
                """
                CREATE TABLE received_record (
                    receipt bigint NOT NULL REFERENCES receipt (id) ON DELETE CASCADE,
                    key text COLLATE "C" NOT NULL,
                    subject text COLLATE "C",
                    consent_subject text COLLATE "C",
                    fields bytea NOT NULL,
                    PRIMARY KEY (receipt, key))
                """,
                """
                CREATE INDEX received_record_by_consent_subject ON received_record (consent_subject)
                WHERE consent_subject IS NOT NULL
                """,
                """
                INSERT INTO receipt (request_hash, provider, resource, purpose, expires_at, consent_ids)
                SELECT request_hash, MIN(provider), MIN(resource), MIN(purpose), MAX(expires_at), MIN(consent_ids)
                FROM received GROUP BY request_hash
                """,
                """
                INSERT INTO received_record (receipt, key, subject, consent_subject, fields)
                SELECT receipt.id, received.key, received.subject,
                    CASE WHEN received.consent_ids <> ',' THEN received.subject END, received.fields
                FROM received JOIN receipt USING (request_hash)
                """,
                "DROP TABLE received",
            ]),
    ]

    /// Brings the schema up to date: creates the schema named in the URL if missing and applies, in one
    /// transaction, the migrations `seamless_migrations` does not list yet. Replicas starting together take
    /// turns, so each migration runs once. Needs ``run()`` to be running; fails at once, saying why, if the
    /// server cannot be reached or refuses the user.
    public func migrate() async throws {
        try await migrate(upTo: nil)
    }

    /// Applies the migrations not applied yet, up to and including the one named `last` (all if nil): tests
    /// build a database as an older binary left it.
    func migrate(upTo last: String?) async throws {
        let count = try last.map { last in
            guard let index = Self.migrations.firstIndex(where: { $0.name == last }) else {
                throw StoreError(.database, "there is no migration named '\(last)'")
            }
            return index + 1
        }
        let wanted = Self.migrations.prefix(count ?? Self.migrations.count)
        try await checkServer()
        let lockName = "seamless-migrations:\(schema ?? "default")"
        let applied = try await write("migrating the PostgreSQL schema at \(location)") { connection in
            try await execute(connection, "SELECT pg_advisory_xact_lock(hashtext(\(lockName)))")
            if let schema {
                // The name was checked to be a plain identifier when the URL was parsed.
                try await execute(connection, "CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)")
            }
            try await execute(
                connection,
                "CREATE TABLE IF NOT EXISTS seamless_migrations (name text PRIMARY KEY, applied_at bigint NOT NULL)")
            let done = Set(
                try await rows(connection, "SELECT name FROM seamless_migrations") { try $0.decode(String.self) })
            var applied: [String] = []
            for migration in wanted where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await execute(connection, PostgresQuery(unsafeSQL: statement))
                }
                try await execute(
                    connection,
                    "INSERT INTO seamless_migrations (name, applied_at) VALUES (\(migration.name), \(Timestamp.now.secondsSince1970))"
                )
                applied.append(migration.name)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info(
                "migrated the node database", metadata: ["migrations": "\(applied.joined(separator: "; "))"])
        }
    }

    /// Drops the schema named in the URL with everything in it; for tests that made a schema of their own.
    func dropSchema() async throws {
        guard let schema else {
            throw StoreError(.refused, "the store at \(location) names no schema of its own to drop")
        }
        try await write("dropping schema \(schema)") { connection in
            try await execute(connection, "DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE")
        }
    }
}
