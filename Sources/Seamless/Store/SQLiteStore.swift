import Foundation
import GRDB

/// The embedded store: one SQLite file per node, in WAL mode, through GRDB. Documents are kept as their
/// canonical JSON next to the columns queries need, so what was stored is byte for byte what an auditor
/// exports.
public final class SQLiteStore: Store {
    private let database: DatabasePool

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
            try Self.migrator.migrate(database)
        } catch {
            throw StoreError(.database, "cannot open the node database '\(path)': \(error)")
        }
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
            guard let status = try Self.consentStatus(id: id, db) else {
                throw StoreError(.notFound, "no consent '\(id)' is recorded")
            }
            guard state == .active || state == .paused || state == .withdrawn else {
                throw StoreError(
                    .refused,
                    "a consent can be set active, paused or withdrawn; \(state.rawValue) follows from its dates")
            }
            if let last = status.history.last, moment < last.at {
                throw StoreError(
                    .refused,
                    "the change at \(moment) is before the consent's last change at \(last.at); withdrawal never acts retroactively"
                )
            }
            if let refusal = ConsentStatus.refusal(from: status.state(at: moment), to: state) {
                throw StoreError(.refused, "consent '\(id)': \(refusal)")
            }
            let change = ConsentStatusChange(consent: id, state: state, at: moment, by: by, reason: reason)
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

    public func appendAuditEntries(_ entries: [(entry: [UInt8], leafHash: [UInt8])], from sequence: Int) async throws {
        let rows = entries.map { (Data($0.entry), Data($0.leafHash)) }
        try await write { db in
            let next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence) + 1, 0) FROM auditEntry") ?? 0
            guard next == sequence else {
                throw StoreError(
                    .refused,
                    "the audit log has \(next) entries, not \(sequence): another writer appended; one sequencer at a time"
                )
            }
            let statement = try db.makeStatement(
                sql: "INSERT INTO auditEntry (sequence, entry, leafHash) VALUES (?, ?, ?)")
            for (offset, row) in rows.enumerated() {
                try statement.execute(arguments: [sequence + offset, row.0, row.1])
            }
        }
    }

    public func auditLeafHashes() async throws -> [[UInt8]] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT leafHash FROM auditEntry ORDER BY sequence").map { Array($0) }
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

    public func auditCheckpoints() async throws -> [(size: Int, note: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT size, note FROM auditCheckpoint ORDER BY size").map {
                ($0["size"], $0["note"])
            }
        }
    }

    // MARK: Plumbing

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "reading the node database failed: \(error)")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "writing the node database failed: \(error)")
        }
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
