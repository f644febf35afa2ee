import NIOCore
import PostgresNIO
import Seamless

// The catalog, responsibility lists, settings, consents and agreements: what policy decisions rest on.
// Every write that changes a decision first bumps `state_version`, whose row lock also puts concurrent
// writers from several replicas in one order, so each reads the state the previous one committed.
extension PostgresStore {
    // MARK: Catalog

    private static let currentEntriesSQL = """
        SELECT catalog_revision.entries FROM catalog_history JOIN catalog_revision USING (revision)
        ORDER BY catalog_history.sequence DESC LIMIT 1
        """

    public func currentCatalog() async throws -> Catalog {
        let rows = try await read(
            "reading the current catalog (tables catalog_history, catalog_revision)",
            PostgresQuery(unsafeSQL: Self.currentEntriesSQL)
        ) { try $0.decode(ByteBuffer.self) }
        return try rows.first.map { try Self.catalog($0, table: "catalog_revision") } ?? Catalog(entries: [])
    }

    public func catalog(revision: String) async throws -> Catalog? {
        try await read(
            "reading catalog revision \(revision) (table catalog_revision)",
            "SELECT entries FROM catalog_revision WHERE revision = \(revision)"
        ) { try $0.decode(ByteBuffer.self) }
        .first.map { try Self.catalog($0, table: "catalog_revision") }
    }

    public func catalogRevisions() async throws -> [CatalogRevisionInfo] {
        try await read(
            "reading the catalog revisions (tables catalog_history, catalog_revision)",
            """
            SELECT catalog_history.revision, catalog_history.recorded_at, catalog_revision.entry_count
            FROM catalog_history JOIN catalog_revision USING (revision) ORDER BY catalog_history.sequence
            """
        ) { row in
            let (revision, recordedAt, entryCount) = try row.decode((String, Int64, Int).self)
            return CatalogRevisionInfo(
                revision: revision, recordedAt: Timestamp(secondsSince1970: recordedAt), entryCount: entryCount)
        }
    }

    public func importCatalogEntries(_ entries: [CatalogEntry], at moment: Timestamp) async throws -> Catalog {
        try await write("importing catalog entries (tables catalog_revision, catalog_history)") { connection in
            try await bumpStateVersion(connection)
            let current =
                try await rows(connection, PostgresQuery(unsafeSQL: Self.currentEntriesSQL)) {
                    try $0.decode(ByteBuffer.self)
                }
                .first.map { try Self.catalog($0, table: "catalog_revision") } ?? Catalog(entries: [])
            let next = current.applying(entries)
            guard next.revision != current.revision else { return current }
            // Revisions are content: a revision seen before is stored once and becomes current again.
            try await execute(
                connection,
                """
                INSERT INTO catalog_revision (revision, recorded_at, entry_count, entries)
                VALUES (\(next.revision), \(moment.secondsSince1970), \(next.entries.count), \(ByteBuffer(bytes: next.canonicalBytes)))
                ON CONFLICT (revision) DO NOTHING
                """)
            try await execute(
                connection,
                "INSERT INTO catalog_history (revision, recorded_at) VALUES (\(next.revision), \(moment.secondsSince1970))"
            )
            return next
        }
    }

    // MARK: Lists and settings

    public func saveResponsibilityList(_ list: ResponsibilityList) async throws {
        let document = try Self.encode(list)
        try await write("saving the responsibility list of \(list.department) (table responsibility_list)") {
            connection in
            try await execute(
                connection,
                """
                INSERT INTO responsibility_list (department, document) VALUES (\(list.department), \(document))
                ON CONFLICT (department) DO UPDATE SET document = excluded.document
                """)
        }
    }

    public func responsibilityLists() async throws -> [ResponsibilityList] {
        try await read(
            "reading the responsibility lists (table responsibility_list)",
            "SELECT document FROM responsibility_list ORDER BY department"
        ) { try Self.decode(ResponsibilityList.self, try $0.decode(ByteBuffer.self), table: "responsibility_list") }
    }

    public func saveCalendar(_ calendar: WorkingCalendar) async throws {
        try await saveSetting("calendar", try Self.encode(calendar))
    }

    public func calendar() async throws -> WorkingCalendar? {
        try await setting("calendar").map { try Self.decode(WorkingCalendar.self, $0, table: "setting") }
    }

    public func savePurposes(_ registry: PurposeRegistry) async throws {
        try await saveSetting("purposes", try Self.encode(registry))
    }

    public func purposes() async throws -> PurposeRegistry {
        try await setting("purposes").map { try Self.decode(PurposeRegistry.self, $0, table: "setting") }
            ?? PurposeRegistry(purposes: [])
    }

    private func saveSetting(_ name: String, _ document: ByteBuffer) async throws {
        try await write("saving the \(name) (table setting)") { connection in
            try await bumpStateVersion(connection)
            try await execute(
                connection,
                """
                INSERT INTO setting (name, document) VALUES (\(name), \(document))
                ON CONFLICT (name) DO UPDATE SET document = excluded.document
                """)
        }
    }

    private func setting(_ name: String) async throws -> ByteBuffer? {
        try await read("reading the \(name) (table setting)", "SELECT document FROM setting WHERE name = \(name)") {
            try $0.decode(ByteBuffer.self)
        }.first
    }

    // MARK: Consents

    public func recordConsent(_ record: ConsentRecord, at moment: Timestamp, by: String) async throws -> ConsentStatus {
        let document = try Self.encode(record)
        return try await write("recording consent \(record.id) (tables consent, consent_status)") { connection in
            try await bumpStateVersion(connection)
            let inserted = try await count(
                connection,
                """
                INSERT INTO consent (id, subject, document) VALUES (\(record.id), \(record.subject), \(document))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """
            )
            guard inserted == 1 else {
                throw StoreError(
                    .alreadyExists,
                    "consent '\(record.id)' is recorded already; a consent never changes, record a new one with a new id"
                )
            }
            let change = ConsentStatusChange(consent: record.id, state: .active, at: moment, by: by)
            try await insert(change, sequence: 0, connection)
            return ConsentStatus(record: record, history: [change])
        }
    }

    public func changeConsent(
        id: String, to state: ConsentState, at moment: Timestamp, by: String, reason: String?
    ) async throws -> ConsentStatus {
        try await write("changing consent \(id) (table consent_status)") { connection in
            try await bumpStateVersion(connection)
            let found = try await rows(connection, Self.consentQuery(id: id, subject: nil), Self.consentRow)
            guard let status = try Self.consentStatuses(found).first else {
                throw StoreError(.notFound, "no consent '\(id)' is recorded")
            }
            let change = try status.change(to: state, at: moment, by: by, reason: reason)
            try await insert(change, sequence: status.history.count, connection)
            return ConsentStatus(record: status.record, history: status.history + [change])
        }
    }

    public func consent(id: String) async throws -> ConsentStatus? {
        try Self.consentStatuses(
            try await read(
                "reading consent \(id) (tables consent, consent_status)", Self.consentQuery(id: id, subject: nil),
                Self.consentRow)
        ).first
    }

    public func consents(subject: String?) async throws -> [ConsentStatus] {
        try Self.consentStatuses(
            try await read(
                "reading consents (tables consent, consent_status)", Self.consentQuery(id: nil, subject: subject),
                Self.consentRow))
    }

    private typealias ConsentRow = (String, ByteBuffer, String?, Int64?, String?, String?)

    /// The consents with `id`, or of `subject`, or all, in id order, each with its history in recording
    /// order: one statement, so a concurrent change is seen whole or not at all.
    private static func consentQuery(id: String?, subject: String?) -> PostgresQuery {
        let select = """
            SELECT consent.id, consent.document, consent_status.state, consent_status.changed_at,
                consent_status.changed_by, consent_status.reason
            FROM consent LEFT JOIN consent_status ON consent_status.consent_id = consent.id
            """
        let order = "ORDER BY consent.id, consent_status.sequence"
        if let id { return "\(unescaped: select) WHERE consent.id = \(id) \(unescaped: order)" }
        if let subject { return "\(unescaped: select) WHERE consent.subject = \(subject) \(unescaped: order)" }
        return "\(unescaped: select) \(unescaped: order)"
    }

    private static func consentRow(_ row: PostgresRow) throws -> ConsentRow {
        try row.decode(ConsentRow.self)
    }

    private static func consentStatuses(_ found: [ConsentRow]) throws -> [ConsentStatus] {
        var statuses: [ConsentStatus] = []
        var current: (id: String, record: ConsentRecord, history: [ConsentStatusChange])?
        for (id, document, state, at, by, reason) in found {
            if current?.id != id {
                if let done = current { statuses.append(ConsentStatus(record: done.record, history: done.history)) }
                current = (id, try decode(ConsentRecord.self, document, table: "consent"), [])
            }
            guard let stateText = state, let at, let by else { continue }
            guard let state = ConsentState(rawValue: stateText) else {
                throw StoreError(
                    .database, "table consent_status holds an unreadable status '\(stateText)' of consent '\(id)'")
            }
            current?.history.append(
                ConsentStatusChange(
                    consent: id, state: state, at: Timestamp(secondsSince1970: at), by: by, reason: reason))
        }
        if let done = current { statuses.append(ConsentStatus(record: done.record, history: done.history)) }
        return statuses
    }

    private func insert(_ change: ConsentStatusChange, sequence: Int, _ connection: PostgresConnection) async throws {
        try await execute(
            connection,
            """
            INSERT INTO consent_status (consent_id, sequence, state, changed_at, changed_by, reason)
            VALUES (\(change.consent), \(sequence), \(change.state.rawValue), \(change.at.secondsSince1970), \(change.by), \(change.reason))
            """)
    }

    // MARK: Agreements

    public func recordAgreement(_ agreement: Agreement) async throws {
        let document = try Self.encode(agreement)
        try await write("recording agreement \(agreement.id) (table agreement)") { connection in
            try await bumpStateVersion(connection)
            let inserted = try await count(
                connection,
                """
                INSERT INTO agreement (id, requester, resource, state, document)
                VALUES (\(agreement.id), \(agreement.requester), \(agreement.resource), \(agreement.state.rawValue), \(document))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """
            )
            guard inserted == 1 else {
                throw StoreError(.alreadyExists, "agreement '\(agreement.id)' exists already")
            }
        }
    }

    public func transitionAgreement(id: String, _ event: AgreementEvent) async throws -> Agreement {
        try await write("changing agreement \(id) (table agreement)") { connection in
            try await bumpStateVersion(connection)
            guard
                let document = try await rows(
                    connection, "SELECT document FROM agreement WHERE id = \(id)",
                    {
                        try $0.decode(ByteBuffer.self)
                    }
                ).first
            else {
                throw StoreError(.notFound, "no agreement '\(id)'")
            }
            let current = try Self.decode(Agreement.self, document, table: "agreement")
            switch current.applying(event) {
            case .failure(let error):
                throw StoreError(.refused, error.issues.map { "\($0.message) [\($0.rule)]" }.joined(separator: "; "))
            case .success(let next):
                try await execute(
                    connection,
                    "UPDATE agreement SET state = \(next.state.rawValue), document = \(try Self.encode(next)) WHERE id = \(id)"
                )
                return next
            }
        }
    }

    public func agreement(id: String) async throws -> Agreement? {
        try await read("reading agreement \(id) (table agreement)", "SELECT document FROM agreement WHERE id = \(id)") {
            try Self.decode(Agreement.self, try $0.decode(ByteBuffer.self), table: "agreement")
        }.first
    }

    public func agreements() async throws -> [Agreement] {
        try await read("reading the agreements (table agreement)", "SELECT document FROM agreement ORDER BY id") {
            try Self.decode(Agreement.self, try $0.decode(ByteBuffer.self), table: "agreement")
        }
    }

    // MARK: State version

    public func stateVersion() async throws -> Int {
        try await read(
            "reading the state version (table state_version)", "SELECT version FROM state_version WHERE id = 1"
        ) { try $0.decode(Int.self) }.first ?? 0
    }

    func bumpStateVersion(_ connection: PostgresConnection) async throws {
        try await execute(connection, "UPDATE state_version SET version = version + 1 WHERE id = 1")
    }
}
