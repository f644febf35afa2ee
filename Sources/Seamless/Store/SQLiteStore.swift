import Foundation
import GRDB

/// The embedded store: one SQLite file per node, in WAL mode, through GRDB. Documents are kept as their
/// canonical JSON next to the columns queries need, so what was stored is byte for byte what an auditor
/// exports.
public final class SQLiteStore: Store {
    private let database: DatabasePool
    /// Read-only connections of the store's own for the small reads every request makes (its nonce, the
    /// state version, a few records by key), run on the calling thread: the pool's async `read` hands each
    /// one to a reader's queue and back, two thread switches that cost more than the query.
    private let pointReaders: PointReaders

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        // An acknowledged audit entry must survive a power cut: sync the WAL on every commit.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            // GRDB puts a pool's writer in WAL mode with `synchronous = NORMAL` after `prepareDatabase` ran:
            // set FULL again on the writer itself, or commits would be synced only at checkpoints.
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(database)
            pointReaders = try PointReaders(path: path)
        } catch {
            throw StoreError(.database, "cannot open the node database '\(path)': \(error)")
        }
    }

    deinit {
        // Closed before the pool: the last connection to close folds the write-ahead log back into the
        // database and removes it, which a read-only one cannot do.
        pointReaders.close()
    }

    /// Migrations are named and append-only: never edit one that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: catalog, lists, consents, agreements") { db in
            try db.create(table: "catalogRevision") { table in
                table.autoIncrementedPrimaryKey("sequence")
                table.column("revision", .text).notNull().unique()
                table.column("recordedAt", .integer).notNull()
                table.column("entryCount", .integer).notNull()
                table.column("entries", .blob).notNull()
            }
            try db.create(table: "responsibilityList") { table in
                table.primaryKey("department", .text)
                table.column("document", .blob).notNull()
            }
            try db.create(table: "setting") { table in
                table.primaryKey("name", .text)
                table.column("document", .blob).notNull()
            }
            try db.create(table: "consent") { table in
                table.primaryKey("id", .text)
                table.column("subject", .text).notNull().indexed()
                table.column("document", .blob).notNull()
            }
            try db.create(table: "consentStatus") { table in
                table.column("consentID", .text).notNull().references("consent", onDelete: .restrict)
                table.column("sequence", .integer).notNull()
                table.column("state", .text).notNull()
                table.column("at", .integer).notNull()
                table.column("by", .text).notNull()
                table.column("reason", .text)
                table.primaryKey(["consentID", "sequence"])
            }
            try db.create(table: "agreement") { table in
                table.primaryKey("id", .text)
                table.column("requester", .text).notNull()
                table.column("resource", .text).notNull()
                table.column("state", .text).notNull()
                table.column("document", .blob).notNull()
            }
        }
        migrator.registerMigration("v2: audit log") { db in
            try db.create(table: "auditEntry") { table in
                table.primaryKey("sequence", .integer)
                table.column("entry", .blob).notNull()
                table.column("leafHash", .blob).notNull()
            }
            try db.create(table: "auditCheckpoint") { table in
                table.primaryKey("size", .integer)
                table.column("note", .text).notNull()
            }
        }
        migrator.registerMigration("v3: catalog history") { db in
            // When each revision became current, so a revision restored later keeps its whole timeline.
            try db.create(table: "catalogHistory") { table in
                table.autoIncrementedPrimaryKey("sequence")
                table.column("revision", .text).notNull().references("catalogRevision", column: "revision")
                table.column("recordedAt", .integer).notNull()
            }
            try db.execute(
                sql:
                    "INSERT INTO catalogHistory (revision, recordedAt) SELECT revision, recordedAt FROM catalogRevision ORDER BY sequence"
            )
        }
        migrator.registerMigration("v4: records, nonces, received records") { db in
            try db.create(table: "record") { table in
                table.column("resource", .text).notNull()
                table.column("key", .text).notNull()
                table.column("subject", .text)
                table.column("fields", .blob).notNull()
                table.column("version", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
                table.primaryKey(["resource", "key"])
            }
            try db.create(index: "recordBySubject", on: "record", columns: ["resource", "subject"])
            try db.create(index: "recordByVersion", on: "record", columns: ["resource", "version"])
            try db.create(table: "nonce") { table in
                table.column("issuer", .text).notNull()
                table.column("nonce", .text).notNull()
                table.column("until", .integer).notNull()
                table.primaryKey(["issuer", "nonce"])
            }
            try db.create(index: "nonceByUntil", on: "nonce", columns: ["until"])
            try db.create(table: "received") { table in
                table.column("provider", .text).notNull()
                table.column("resource", .text).notNull()
                table.column("key", .text).notNull()
                table.column("subject", .text)
                table.column("fields", .blob).notNull()
                table.column("requestHash", .text).notNull()
                table.column("purpose", .text).notNull()
                table.column("expiresAt", .integer).notNull()
                table.primaryKey(["provider", "resource", "key", "requestHash"])
            }
            try db.create(index: "receivedByRequest", on: "received", columns: ["requestHash"])
            try db.create(index: "receivedBySubject", on: "received", columns: ["provider", "subject"])
            try db.create(index: "receivedByExpiry", on: "received", columns: ["expiresAt"])
            // Bumped by every change a policy decision depends on, so a serving node rebuilds its snapshot
            // when (and only when) another process changed a consent, agreement, purpose or the catalog.
            try db.create(table: "stateVersion") { table in
                table.column("id", .integer).primaryKey().check { $0 == 1 }
                table.column("version", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO stateVersion (id, version) VALUES (1, 0)")
            try db.create(table: "disclosedUnderConsent") { table in
                table.column("peer", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("consentID", .text).notNull()
                table.primaryKey(["consentID", "subject", "peer"])
            }
            try db.create(table: "subscription") { table in
                table.primaryKey("agreementID", .text)
                table.column("document", .blob).notNull()
                table.column("cursor", .integer).notNull()
                table.column("lastSyncAt", .integer)
            }
        }
        migrator.registerMigration("v5: peers' catalogs and witnessed checkpoints") { db in
            try db.create(table: "peerCatalog") { table in
                table.primaryKey("peer", .text)
                table.column("revision", .text).notNull()
                table.column("entries", .blob).notNull()
                table.column("seenAt", .integer).notNull()
            }
            try db.create(table: "witnessedCheckpoint") { table in
                table.primaryKey("peer", .text)
                table.column("size", .integer).notNull()
                table.column("note", .text).notNull()
            }
        }
        migrator.registerMigration("v6: the consents received records came under") { db in
            try db.alter(table: "received") { table in
                table.add(column: "consentIDs", .text).notNull().defaults(to: ",")
            }
        }
        migrator.registerMigration("v7: received records grouped by receipt") { db in
            // What every record of one answer shares (provider, resource, purpose, data life, consents) is
            // kept once per receipt; a synced page of 5,000 records writes half the bytes and two b-trees
            // fewer than with it repeated on every row. Only records received under consent are looked up
            // by subject (a withdrawal purges them), so only those are indexed by it (`consentSubject`):
            // an index of every subject, in random order, made each page of a large sync slower than the one
            // before.
            try db.create(table: "receipt") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("requestHash", .text).notNull().unique()
                table.column("provider", .text).notNull()
                table.column("resource", .text).notNull()
                table.column("purpose", .text).notNull()
                table.column("expiresAt", .integer).notNull()
                table.column("consentIDs", .text).notNull().defaults(to: ",")
            }
            try db.create(index: "receiptByExpiry", on: "receipt", columns: ["expiresAt"])
            try db.create(index: "receiptByProvider", on: "receipt", columns: ["provider"])
            try db.create(table: "receivedRecord") { table in
                table.column("receipt", .integer).notNull().references("receipt", onDelete: .cascade)
                table.column("key", .text).notNull()
                table.column("subject", .text)
                table.column("consentSubject", .text)
                table.column("fields", .blob).notNull()
            }
            try db.create(
                index: "receivedRecordByKey", on: "receivedRecord", columns: ["receipt", "key"], unique: true)
            try db.execute(
                sql: """
                    CREATE INDEX receivedRecordByConsentSubject ON receivedRecord (consentSubject)
                    WHERE consentSubject IS NOT NULL
                    """)
            try db.execute(
                sql: """
                    INSERT INTO receipt (requestHash, provider, resource, purpose, expiresAt, consentIDs)
                    SELECT requestHash, MIN(provider), MIN(resource), MIN(purpose), MAX(expiresAt), MIN(consentIDs)
                    FROM received GROUP BY requestHash;
                    INSERT INTO receivedRecord (receipt, key, subject, consentSubject, fields)
                    SELECT receipt.id, received.key, received.subject,
                        CASE WHEN received.consentIDs != ',' THEN received.subject END, received.fields
                    FROM received JOIN receipt USING (requestHash);
                    DROP TABLE received;
                    """)
        }
        return migrator
    }

    // MARK: Catalog

    public func currentCatalog() async throws -> Catalog {
        try await read { db in try Self.currentCatalog(db) }
    }

    private static let currentEntriesSQL = """
        SELECT catalogRevision.entries FROM catalogHistory JOIN catalogRevision USING (revision)
        ORDER BY catalogHistory.sequence DESC LIMIT 1
        """

    private static func currentCatalog(_ db: Database) throws -> Catalog {
        guard let row = try Row.fetchOne(db, sql: currentEntriesSQL) else { return Catalog(entries: []) }
        return try catalog(from: row["entries"])
    }

    public func catalog(revision: String) async throws -> Catalog? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT entries FROM catalogRevision WHERE revision = ?", arguments: [revision])
                .map { try Self.catalog(from: $0["entries"]) }
        }
    }

    public func catalogRevisions() async throws -> [CatalogRevisionInfo] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT catalogHistory.revision, catalogHistory.recordedAt, catalogRevision.entryCount
                    FROM catalogHistory JOIN catalogRevision USING (revision) ORDER BY catalogHistory.sequence
                    """
            ).map {
                CatalogRevisionInfo(
                    revision: $0["revision"], recordedAt: Timestamp(secondsSince1970: $0["recordedAt"]),
                    entryCount: $0["entryCount"])
            }
        }
    }

    public func importCatalogEntries(_ entries: [CatalogEntry], at moment: Timestamp) async throws -> Catalog {
        try await write { db in
            try Self.bumpStateVersion(db)
            let current = try Self.currentCatalog(db)
            let next = current.applying(entries)
            guard next.revision != current.revision else { return current }
            // Revisions are content: a revision seen before is stored once and becomes current again.
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO catalogRevision (revision, recordedAt, entryCount, entries) VALUES (?, ?, ?, ?)",
                arguments: [next.revision, moment.secondsSince1970, next.entries.count, Data(next.canonicalBytes)]
            )
            try db.execute(
                sql: "INSERT INTO catalogHistory (revision, recordedAt) VALUES (?, ?)",
                arguments: [next.revision, moment.secondsSince1970]
            )
            return next
        }
    }

    // MARK: Lists and settings

    public func saveResponsibilityList(_ list: ResponsibilityList) async throws {
        let document = try Self.encode(list)
        try await write { db in
            try db.execute(
                sql:
                    "INSERT INTO responsibilityList (department, document) VALUES (?, ?) ON CONFLICT(department) DO UPDATE SET document = excluded.document",
                arguments: [list.department, document]
            )
        }
    }

    public func responsibilityLists() async throws -> [ResponsibilityList] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT document FROM responsibilityList ORDER BY department").map {
                try Self.decode(ResponsibilityList.self, $0["document"])
            }
        }
    }

    public func saveCalendar(_ calendar: WorkingCalendar) async throws {
        try await saveSetting("calendar", try Self.encode(calendar))
    }

    public func calendar() async throws -> WorkingCalendar? {
        try await setting("calendar").map { try Self.decode(WorkingCalendar.self, $0) }
    }

    public func savePurposes(_ registry: PurposeRegistry) async throws {
        try await saveSetting("purposes", try Self.encode(registry))
    }

    public func purposes() async throws -> PurposeRegistry {
        try await setting("purposes").map { try Self.decode(PurposeRegistry.self, $0) } ?? PurposeRegistry(purposes: [])
    }

    private func saveSetting(_ name: String, _ document: Data) async throws {
        try await write { db in
            try Self.bumpStateVersion(db)
            try db.execute(
                sql:
                    "INSERT INTO setting (name, document) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET document = excluded.document",
                arguments: [name, document]
            )
        }
    }

    private func setting(_ name: String) async throws -> Data? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT document FROM setting WHERE name = ?", arguments: [name])
        }
    }

    // MARK: Consents

    public func recordConsent(_ record: ConsentRecord, at moment: Timestamp, by: String) async throws -> ConsentStatus {
        let document = try Self.encode(record)
        return try await write { db in
            try Self.bumpStateVersion(db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM consent WHERE id = ?", arguments: [record.id]) == true {
                throw StoreError(
                    .alreadyExists,
                    "consent '\(record.id)' is recorded already; a consent never changes, record a new one with a new id"
                )
            }
            try db.execute(
                sql: "INSERT INTO consent (id, subject, document) VALUES (?, ?, ?)",
                arguments: [record.id, record.subject, document])
            let change = ConsentStatusChange(consent: record.id, state: .active, at: moment, by: by)
            try Self.insert(change, sequence: 0, db)
            return ConsentStatus(record: record, history: [change])
        }
    }

    public func changeConsent(
        id: String, to state: ConsentState, at moment: Timestamp, by: String, reason: String?
    ) async throws -> ConsentStatus {
        try await write { db in
            try Self.bumpStateVersion(db)
            guard let status = try Self.consentStatus(id: id, db) else {
                throw StoreError(.notFound, "no consent '\(id)' is recorded")
            }
            let change = try status.change(to: state, at: moment, by: by, reason: reason)
            try Self.insert(change, sequence: status.history.count, db)
            return ConsentStatus(record: status.record, history: status.history + [change])
        }
    }

    public func consent(id: String) async throws -> ConsentStatus? {
        try await read { db in try Self.consentStatus(id: id, db) }
    }

    public func consents(subject: String?) async throws -> [ConsentStatus] {
        try await read { db in
            let ids: [String]
            if let subject {
                ids = try String.fetchAll(
                    db, sql: "SELECT id FROM consent WHERE subject = ? ORDER BY id", arguments: [subject])
            } else {
                ids = try String.fetchAll(db, sql: "SELECT id FROM consent ORDER BY id")
            }
            return try ids.compactMap { try Self.consentStatus(id: $0, db) }
        }
    }

    private static func consentStatus(id: String, _ db: Database) throws -> ConsentStatus? {
        guard let document = try Data.fetchOne(db, sql: "SELECT document FROM consent WHERE id = ?", arguments: [id])
        else {
            return nil
        }
        let history = try Row.fetchAll(
            db, sql: "SELECT state, at, by, reason FROM consentStatus WHERE consentID = ? ORDER BY sequence",
            arguments: [id]
        ).map { row in
            guard let state = ConsentState(rawValue: row["state"]) else {
                throw StoreError(
                    .database, "consent '\(id)' has an unreadable status '\(row["state"] as String? ?? "")'")
            }
            return ConsentStatusChange(
                consent: id, state: state, at: Timestamp(secondsSince1970: row["at"]), by: row["by"],
                reason: row["reason"])
        }
        return ConsentStatus(record: try decode(ConsentRecord.self, document), history: history)
    }

    private static func insert(_ change: ConsentStatusChange, sequence: Int, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO consentStatus (consentID, sequence, state, at, by, reason) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                change.consent, sequence, change.state.rawValue, change.at.secondsSince1970, change.by, change.reason,
            ]
        )
    }

    // MARK: Agreements

    public func recordAgreement(_ agreement: Agreement) async throws {
        let document = try Self.encode(agreement)
        try await write { db in
            try Self.bumpStateVersion(db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM agreement WHERE id = ?", arguments: [agreement.id]) == true {
                throw StoreError(.alreadyExists, "agreement '\(agreement.id)' exists already")
            }
            try db.execute(
                sql: "INSERT INTO agreement (id, requester, resource, state, document) VALUES (?, ?, ?, ?, ?)",
                arguments: [agreement.id, agreement.requester, agreement.resource, agreement.state.rawValue, document]
            )
        }
    }

    public func transitionAgreement(id: String, _ event: AgreementEvent) async throws -> Agreement {
        try await write { db in
            try Self.bumpStateVersion(db)
            guard
                let document = try Data.fetchOne(
                    db, sql: "SELECT document FROM agreement WHERE id = ?", arguments: [id])
            else {
                throw StoreError(.notFound, "no agreement '\(id)'")
            }
            let current = try Self.decode(Agreement.self, document)
            switch current.applying(event) {
            case .failure(let error):
                throw StoreError(.refused, error.issues.map { "\($0.message) [\($0.rule)]" }.joined(separator: "; "))
            case .success(let next):
                try db.execute(
                    sql: "UPDATE agreement SET state = ?, document = ? WHERE id = ?",
                    arguments: [next.state.rawValue, try Self.encode(next), id]
                )
                return next
            }
        }
    }

    public func agreement(id: String) async throws -> Agreement? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT document FROM agreement WHERE id = ?", arguments: [id]).map {
                try Self.decode(Agreement.self, $0)
            }
        }
    }

    public func agreements() async throws -> [Agreement] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT document FROM agreement ORDER BY id").map {
                try Self.decode(Agreement.self, $0)
            }
        }
    }

    // MARK: Audit log

    public func appendAuditEntries(
        _ entries: [(entry: [UInt8], leafHash: [UInt8])], from sequence: Int, applying changes: [StoreChange]
    ) async throws {
        let rows = entries.map { (Data($0.entry), Data($0.leafHash)) }
        // Received records' fields are written as canonical JSON before the writer is taken: for a synced page
        // of thousands of records that is milliseconds every other commit would wait.
        let receivedFields = changes.map { change -> [Data] in
            guard case .keepReceived(let records) = change else { return [] }
            return records.map { Data(CanonicalJSON.serialize(.object($0.fields))) }
        }
        try await write { db in
            // Statements on the hot paths are prepared once per connection (GRDB caches them by SQL text).
            let next = try Self.auditSize(db)
            guard next == sequence else {
                throw StoreError(
                    .conflict, "the audit log has \(next) entries, not \(sequence): another writer appended first")
            }
            let statement = try db.cachedStatement(
                sql: "INSERT INTO auditEntry (sequence, entry, leafHash) VALUES (?, ?, ?)")
            for (offset, row) in rows.enumerated() {
                try statement.execute(arguments: [sequence + offset, row.0, row.1])
            }
            for (change, fields) in zip(changes, receivedFields) {
                try Self.apply(change, db, receivedFields: fields)
            }
        }
    }

    /// Applies one state change in the appending transaction; `receivedFields` are the canonical fields of
    /// each record of a `keepReceived`.
    private static func apply(_ change: StoreChange, _ db: Database, receivedFields: [Data] = []) throws {
        switch change {
        case .keepReceived(let records):
            guard receivedFields.count == records.count else {
                throw StoreError(
                    .database, "\(records.count) received records came with \(receivedFields.count) fields")
            }
            // One receipt per request (what its records share), then the records under it.
            let receipt = try db.cachedStatement(
                sql: """
                    INSERT INTO receipt (requestHash, provider, resource, purpose, expiresAt, consentIDs)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (requestHash) DO UPDATE SET provider = excluded.provider,
                        resource = excluded.resource, purpose = excluded.purpose, expiresAt = excluded.expiresAt,
                        consentIDs = excluded.consentIDs
                    """)
            // Read back rather than `RETURNING`, which SQLite has only since 3.35.
            let receiptID = try db.cachedStatement(sql: "SELECT id FROM receipt WHERE requestHash = ?")
            let row = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO receivedRecord (receipt, key, subject, consentSubject, fields)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            var receipts: [String: Int64] = [:]
            for (record, fields) in zip(records, receivedFields) {
                let id: Int64
                if let known = receipts[record.requestHash] {
                    id = known
                } else {
                    try receipt.execute(arguments: [
                        record.requestHash, record.provider, record.resource, record.purpose,
                        record.expiresAt.secondsSince1970, ReceivedRecord.storedConsents(record.consentIDs),
                    ])
                    guard let inserted = try Int64.fetchOne(receiptID, arguments: [record.requestHash]) else {
                        throw StoreError(.database, "the receipt of \(record.requestHash) was not stored")
                    }
                    receipts[record.requestHash] = inserted
                    id = inserted
                }
                try row.execute(arguments: [id, record.key, record.subject, record.consentSubject, fields])
            }
        case .purgeRequest(let requestHash):
            try db.execute(sql: "DELETE FROM receipt WHERE requestHash = ?", arguments: [requestHash])
        case .purgeConsent(let provider, let subject, let consentID):
            try db.execute(
                sql: """
                    DELETE FROM receivedRecord WHERE consentSubject = ? AND receipt IN
                        (SELECT id FROM receipt WHERE provider = ? AND instr(consentIDs, ?) > 0);
                    DELETE FROM receipt WHERE provider = ? AND instr(consentIDs, ?) > 0
                        AND NOT EXISTS (SELECT 1 FROM receivedRecord WHERE receipt = receipt.id);
                    """,
                arguments: [subject, provider, ",\(consentID),", provider, ",\(consentID),"])
        case .disclosedUnderConsent(let peer, let consentIDs, let subjects):
            let statement = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO disclosedUnderConsent (peer, subject, consentID) VALUES (?, ?, ?)")
            for consent in consentIDs {
                for subject in subjects { try statement.execute(arguments: [peer, subject, consent]) }
            }
        case .advanceCursor(let agreementID, let version, let moment, let from):
            guard let from else {
                try db.execute(
                    sql: "UPDATE subscription SET cursor = MAX(cursor, ?), lastSyncAt = ? WHERE agreementID = ?",
                    arguments: [version, moment.secondsSince1970, agreementID])
                break
            }
            try db.cachedStatement(
                sql:
                    "UPDATE subscription SET cursor = MAX(cursor, ?), lastSyncAt = ? WHERE agreementID = ? AND cursor = ?"
            ).execute(arguments: [version, moment.secondsSince1970, agreementID, from])
            guard db.changesCount == 1 else {
                throw StoreError(
                    .refused,
                    "the cursor of subscription \(agreementID) is not at \(from): an earlier page was not kept, or another sync moved it",
                    change: change
                )
            }
        case .rememberNonce(let issuer, let nonce, let moment, let until):
            try db.cachedStatement(sql: "DELETE FROM nonce WHERE until < ?").execute(
                arguments: [moment.secondsSince1970])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO nonce (issuer, nonce, until) VALUES (?, ?, ?)").execute(
                arguments: [issuer, nonce, until.secondsSince1970])
            guard db.changesCount == 1 else {
                throw StoreError(.replayed, "nonce '\(nonce)' of \(issuer) was used already", change: change)
            }
        }
    }

    public func auditSize() async throws -> Int {
        try await read { db in try Self.auditSize(db) }
    }

    private static func auditSize(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence) + 1, 0) FROM auditEntry")) ?? 0
    }

    public func auditLeafHashes(from start: Int) async throws -> [[UInt8]] {
        try await read { db in
            try Data.fetchAll(
                db, sql: "SELECT leafHash FROM auditEntry WHERE sequence >= ? ORDER BY sequence", arguments: [start]
            ).map { Array($0) }
        }
    }

    public func auditEntries(_ range: Range<Int>) async throws -> [[UInt8]] {
        try await read { db in
            try Data.fetchAll(
                db, sql: "SELECT entry FROM auditEntry WHERE sequence >= ? AND sequence < ? ORDER BY sequence",
                arguments: [range.lowerBound, range.upperBound]
            ).map { Array($0) }
        }
    }

    /// Keeps the first note stored for a size: a later one would drop the cosignatures added to it.
    public func saveAuditCheckpoint(size: Int, note: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO auditCheckpoint (size, note) VALUES (?, ?)", arguments: [size, note])
        }
    }

    public func updateAuditCheckpoint(size: Int, note: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE auditCheckpoint SET note = ? WHERE size = ?", arguments: [note, size])
            guard db.changesCount == 1 else {
                throw StoreError(.notFound, "no checkpoint of size \(size) is stored")
            }
        }
    }

    public func savePeerCatalog(peer: String, catalog: Catalog, at moment: Timestamp) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO peerCatalog (peer, revision, entries, seenAt) VALUES (?, ?, ?, ?)",
                arguments: [peer, catalog.revision, Data(catalog.canonicalBytes), moment.secondsSince1970])
        }
    }

    public func peerCatalog(peer: String) async throws -> Catalog? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT entries FROM peerCatalog WHERE peer = ?", arguments: [peer])
                .map { try Self.catalog(from: $0["entries"]) }
        }
    }

    public func saveWitnessedCheckpoint(peer: String, size: Int, note: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO witnessedCheckpoint (peer, size, note) VALUES (?, ?, ?)",
                arguments: [peer, size, note])
        }
    }

    public func witnessedCheckpoint(peer: String) async throws -> (size: Int, note: String)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT size, note FROM witnessedCheckpoint WHERE peer = ?", arguments: [peer])
                .map { ($0["size"], $0["note"]) }
        }
    }

    public func auditCheckpoint(size: Int?) async throws -> (size: Int, note: String)? {
        try await read { db in
            let row =
                if let size {
                    try Row.fetchOne(
                        db, sql: "SELECT size, note FROM auditCheckpoint WHERE size = ?", arguments: [size])
                } else {
                    try Row.fetchOne(db, sql: "SELECT size, note FROM auditCheckpoint ORDER BY size DESC LIMIT 1")
                }
            return row.map { ($0["size"], $0["note"]) }
        }
    }

    public func auditCheckpoints() async throws -> [(size: Int, note: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT size, note FROM auditCheckpoint ORDER BY size").map {
                ($0["size"], $0["note"])
            }
        }
    }

    // MARK: State version

    /// The writer's `synchronous` setting (2 = FULL), for the durability test.
    func synchronousMode() async throws -> Int {
        try await database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    public func stateVersion() async throws -> Int {
        try await pointRead { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM stateVersion WHERE id = 1")) ?? 0
        }
    }

    private static func bumpStateVersion(_ db: Database) throws {
        try db.execute(sql: "UPDATE stateVersion SET version = version + 1 WHERE id = 1")
    }

    // MARK: Records

    public func upsertRecords(_ records: [ProviderRecord]) async throws -> Int {
        let rows = records.map { record in
            (record, Data(CanonicalJSON.serialize(.object(record.fields))))
        }
        return try await write { db in
            var versions: [String: Int] = [:]
            var added = 0
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE resource = ? AND key = ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO record (resource, key, subject, fields, version, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for (record, fields) in rows {
                let version: Int
                if let last = versions[record.resource] {
                    version = last + 1
                } else {
                    version =
                        (try Int.fetchOne(
                            db, sql: "SELECT COALESCE(MAX(version), 0) FROM record WHERE resource = ?",
                            arguments: [record.resource]) ?? 0) + 1
                }
                versions[record.resource] = version
                if try Bool.fetchOne(exists, arguments: [record.resource, record.key]) != true { added += 1 }
                try insert.execute(arguments: [
                    record.resource, record.key, record.subject, fields, version, record.updatedAt.secondsSince1970,
                ])
            }
            return added
        }
    }

    public func storedRecords(matching query: RecordQuery) async throws -> [StoredRecord] {
        var conditions = ["resource = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [query.resource]
        switch query.selector {
        case .keys(let keys):
            conditions.append("key IN (\(Array(repeating: "?", count: keys.count).joined(separator: ",")))")
            arguments += keys
        case .subjects(let subjects):
            conditions.append("subject IN (\(Array(repeating: "?", count: subjects.count).joined(separator: ",")))")
            arguments += subjects
        case .fieldEquals(let field, let value):
            conditions.append("json_extract(CAST(fields AS TEXT), ?) = ?")
            arguments += ["$.\"\(field)\"", value]
        case .all:
            break
        case .changedSince(let version):
            conditions.append("version > ?")
            arguments.append(version)
        }
        var order = "key"
        if case .changedSince = query.selector {
            order = "version"
        } else if let after = query.after {
            conditions.append("key > ?")
            arguments.append(after)
        }
        let sql =
            "SELECT resource, key, subject, fields, version, updatedAt FROM record WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        arguments.append(max(0, query.limit))
        let bound = StatementArguments(arguments)
        // Lists of keys or subjects make a new text for every length: only short lists are cached.
        let listLength: Int
        switch query.selector {
        case .keys(let keys): listLength = keys.count
        case .subjects(let subjects): listLength = subjects.count
        default: listLength = 0
        }
        let page = { @Sendable (db: Database) throws -> [StoredRecord] in
            var page: [StoredRecord] = []
            let rows = try Row.fetchCursor(
                listLength > Self.cachedListLength ? db.makeStatement(sql: sql) : db.cachedStatement(sql: sql),
                arguments: bound)
            while let row = try rows.next() {
                let fields = try row.withUnsafeData(atIndex: 3) { data in data.map { [UInt8]($0) } ?? [] }
                page.append(
                    StoredRecord(
                        resource: row[0], key: row[1], subject: row[2], canonicalFields: fields, version: row[4],
                        updatedAt: Timestamp(secondsSince1970: row[5])))
            }
            return page
        }
        // A few records by key (a single-record request): a point read. Anything larger goes to the pool.
        if case .keys(let keys) = query.selector, keys.count <= Self.cachedListLength {
            return try await pointRead(page)
        }
        return try await read(page)
    }

    /// The longest list of keys or subjects whose query text is cached, and read as a point read.
    private static let cachedListLength = 16

    public func recordCount(resource: String) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE resource = ?", arguments: [resource]) ?? 0
        }
    }

    // MARK: Nonces

    public func rememberNonce(
        _ nonce: String, issuer: String, at moment: Timestamp, until: Timestamp
    ) async throws
        -> Bool
    {
        do {
            try await write { db in
                try Self.apply(.rememberNonce(issuer: issuer, nonce: nonce, at: moment, until: until), db)
            }
            return true
        } catch let error as StoreError where error.code == .replayed {
            return false
        }
    }

    public func isNonceRemembered(_ nonce: String, issuer: String) async throws -> Bool {
        try await pointRead { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM nonce WHERE issuer = ? AND nonce = ?)"),
                arguments: [issuer, nonce]) ?? false
        }
    }

    // MARK: Received records

    public func receivedRecords(requestHash: String) async throws -> [ReceivedRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT provider, resource, key, subject, fields, requestHash, purpose, expiresAt, consentIDs
                    FROM receivedRecord JOIN receipt ON receipt.id = receivedRecord.receipt
                    WHERE requestHash = ? ORDER BY key
                    """, arguments: [requestHash]
            ).map { row in
                ReceivedRecord(
                    provider: row["provider"], resource: row["resource"], key: row["key"], subject: row["subject"],
                    fields: try StoredRecord.fields(row["fields"] as Data, of: "a received record"),
                    requestHash: row["requestHash"], purpose: row["purpose"],
                    expiresAt: Timestamp(secondsSince1970: row["expiresAt"]),
                    consentIDs: ReceivedRecord.consents(stored: row["consentIDs"]))
            }
        }
    }

    public func receivedRequests(
        expiringBy moment: Timestamp
    ) async throws -> [(
        requestHash: String, provider: String, resource: String
    )] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT requestHash, provider, resource FROM receipt
                    WHERE expiresAt <= ? ORDER BY requestHash
                    """, arguments: [moment.secondsSince1970]
            ).map { ($0["requestHash"], $0["provider"], $0["resource"]) }
        }
    }

    public func peersHolding(subject: String, consentID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT peer FROM disclosedUnderConsent WHERE subject = ? AND consentID = ? ORDER BY peer",
                arguments: [subject, consentID])
        }
    }

    public func saveSubscription(_ subscription: SubscriptionState) async throws {
        var document = subscription
        document.cursor = 0
        document.lastSyncAt = nil
        let bytes = try Self.encode(document)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO subscription (agreementID, document, cursor) VALUES (?, ?, ?)
                    ON CONFLICT(agreementID) DO UPDATE SET document = excluded.document
                    """, arguments: [subscription.agreementID, bytes, subscription.cursor])
        }
    }

    public func subscriptions() async throws -> [SubscriptionState] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT document, cursor, lastSyncAt FROM subscription ORDER BY agreementID").map
            {
                row in
                var state = try Self.decode(SubscriptionState.self, row["document"])
                state.cursor = row["cursor"]
                state.lastSyncAt = (row["lastSyncAt"] as Int64?).map { Timestamp(secondsSince1970: $0) }
                return state
            }
        }
    }

    public func receivedRequests(provider: String, subject: String, consentID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT requestHash FROM receivedRecord JOIN receipt ON receipt.id = receivedRecord.receipt
                    WHERE provider = ? AND consentSubject = ? AND instr(consentIDs, ?) > 0 ORDER BY requestHash
                    """,
                arguments: [provider, subject, ",\(consentID),"])
        }
    }

    // MARK: Plumbing

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw Self.storeError(error, "reading")
        }
    }

    /// Runs a short query on a free point reader on the calling thread; through the pool's async `read`
    /// when every point reader is in use or the database is locked (SQLite recovering the write-ahead log,
    /// another process holding it), so a caller never waits on another caller or sleeps in a busy handler.
    private func pointRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let reader = pointReaders.take() {
            defer { pointReaders.put(reader) }
            do {
                return try reader.inDatabase(body)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // Locked: wait in the pool instead.
            } catch {
                throw Self.storeError(error, "reading")
            }
        }
        return try await read(body)
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch {
            throw Self.storeError(error, "writing")
        }
    }

    /// A store error as it is, anything else (SQLite's) as a `database` error saying what failed.
    private static func storeError(_ error: any Error, _ doing: String) -> StoreError {
        error as? StoreError ?? StoreError(.database, "\(doing) the node database failed: \(error)")
    }

    private static func encode(_ value: some Encodable) throws -> Data {
        Data(try CanonicalJSON.encode(value))
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw StoreError(.database, "the node database holds an unreadable \(T.self): \(error)")
        }
    }

    private static func catalog(from data: Data) throws -> Catalog {
        Catalog(entries: try decode([CatalogEntry].self, data))
    }
}

/// The store's point readers: read-only connections taken by one caller at a time, at most one per core,
/// opened as they are first needed. `take()` never waits: with none free, the caller reads through the
/// pool instead.
private final class PointReaders: @unchecked Sendable {
    private let path: String
    private let limit = max(2, ProcessInfo.processInfo.activeProcessorCount)
    private let lock = NSLock()
    private var free: [DatabaseQueue]
    private var opened: Int
    private var closed = false

    init(path: String) throws {
        self.path = path
        free = [try Self.open(path)]
        opened = 1
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        // A locked database is not waited for here (see `SQLiteStore.pointRead`).
        configuration.busyMode = .immediateError
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A free reader, a newly opened one below the limit, or nil.
    func take() -> DatabaseQueue? {
        let (reader, mayOpen): (DatabaseQueue?, Bool) = lock.withLock {
            if closed { return (nil, false) }
            if let reader = free.popLast() { return (reader, false) }
            guard opened < limit else { return (nil, false) }
            opened += 1
            return (nil, true)
        }
        guard mayOpen else { return reader }
        do {
            return try Self.open(path)
        } catch {
            lock.withLock { opened -= 1 }
            return nil
        }
    }

    func put(_ reader: DatabaseQueue) {
        let keep = lock.withLock {
            if !closed { free.append(reader) }
            return !closed
        }
        if !keep { try? reader.close() }
    }

    /// Closes the free readers; one in use is closed when it is put back.
    func close() {
        let readers = lock.withLock {
            closed = true
            defer { free = [] }
            return free
        }
        for reader in readers { try? reader.close() }
    }
}
