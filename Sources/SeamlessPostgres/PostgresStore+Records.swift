import NIOCore
import PostgresNIO
import Seamless

// The records this node provides, the request nonces it remembers, the records it received and the
// subscriptions it follows.
extension PostgresStore {
    // MARK: Records

    /// Versions are numbered under a lock on `record` that lets readers through but not another upsert, so
    /// two replicas importing at once never hand out the same version of a resource. The rows go in one
    /// transaction, in statements of at most ``rowsPerStatement`` rows and about ``bytesPerStatement``
    /// bytes: a single statement for a large import would exceed PostgreSQL's 1 GB message limit.
    public func upsertRecords(_ records: [ProviderRecord]) async throws -> Int {
        let resources = Set(records.map(\.resource)).sorted()
        return try await write("storing \(records.count) records (table record)") { connection in
            try await execute(connection, "LOCK TABLE record IN SHARE ROW EXCLUSIVE MODE")
            var versions: [String: Int] = [:]
            var present: Set<RecordKey> = []
            for resource in resources {
                let keys = records.filter { $0.resource == resource }.map(\.key)
                versions[resource] =
                    try await rows(
                        connection, "SELECT COALESCE(MAX(version), 0) FROM record WHERE resource = \(resource)"
                    ) { try $0.decode(Int.self) }.first ?? 0
                for start in stride(from: 0, to: keys.count, by: Self.rowsPerStatement) {
                    let part = Array(keys[start..<min(start + Self.rowsPerStatement, keys.count)])
                    for key in try await rows(
                        connection, "SELECT key FROM record WHERE resource = \(resource) AND key = ANY(\(part))",
                        { try $0.decode(String.self) })
                    {
                        present.insert(RecordKey(resource: resource, key: key))
                    }
                }
            }
            // Each record takes the next version of its resource, in order; a key given twice keeps the
            // last copy and its version, as if the records had been stored one by one.
            var added = 0
            var latest: [RecordKey: (record: ProviderRecord, version: Int)] = [:]
            var order: [RecordKey] = []
            for record in records {
                let version = (versions[record.resource] ?? 0) + 1
                versions[record.resource] = version
                let id = RecordKey(resource: record.resource, key: record.key)
                if present.insert(id).inserted { added += 1 }
                if latest.updateValue((record, version), forKey: id) == nil { order.append(id) }
            }
            var rows: [(record: ProviderRecord, version: Int, fields: ByteBuffer)] = []
            var bytes = 0
            for id in order {
                guard let (record, version) = latest[id] else { continue }
                let fields = Self.bytes(record.fields)
                rows.append((record, version, fields))
                bytes += fields.readableBytes + record.key.utf8.count + (record.subject?.utf8.count ?? 0) + 64
                if rows.count == Self.rowsPerStatement || bytes >= Self.bytesPerStatement {
                    try await insert(rows, connection)
                    rows.removeAll(keepingCapacity: true)
                    bytes = 0
                }
            }
            if !rows.isEmpty { try await insert(rows, connection) }
            return added
        }
    }

    /// The most rows one statement of ``upsertRecords(_:)`` sends.
    static let rowsPerStatement = 10_000
    /// About the most bytes one statement of ``upsertRecords(_:)`` sends (far below PostgreSQL's 1 GB).
    static let bytesPerStatement = 64 << 20

    private func insert(
        _ rows: [(record: ProviderRecord, version: Int, fields: ByteBuffer)], _ connection: PostgresConnection
    ) async throws {
        try await execute(
            connection,
            """
            INSERT INTO record (resource, key, subject, fields, version, updated_at)
            SELECT resource, key, CASE WHEN has_subject THEN subject END, fields, version, updated_at
            FROM unnest(\(rows.map(\.record.resource))::text[], \(rows.map(\.record.key))::text[],
                \(rows.map { $0.record.subject ?? "" })::text[], \(rows.map { $0.record.subject != nil })::bool[],
                \(rows.map(\.fields))::bytea[], \(rows.map(\.version))::bigint[],
                \(rows.map(\.record.updatedAt.secondsSince1970))::bigint[])
                AS given (resource, key, subject, has_subject, fields, version, updated_at)
            ON CONFLICT (resource, key) DO UPDATE SET subject = excluded.subject, fields = excluded.fields,
                version = excluded.version, updated_at = excluded.updated_at
            """)
    }

    /// A record's identity: its resource and key.
    private struct RecordKey: Hashable {
        var resource: String
        var key: String
    }

    /// `fieldEquals` matches fields whose value is that JSON string (not a number or boolean spelled the
    /// same), as ``SQLiteStore`` does.
    public func storedRecords(matching query: RecordQuery) async throws -> [StoredRecord] {
        var sql = "SELECT resource, key, subject, fields, version, updated_at FROM record WHERE resource = "
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        sql += bind(query.resource)
        switch query.selector {
        case .keys(let keys):
            sql += " AND key = ANY(\(bind(keys)))"
        case .subjects(let subjects):
            sql += " AND subject = ANY(\(bind(subjects)))"
        case .fieldEquals(let field, let value):
            sql += " AND convert_from(fields, 'UTF8')::jsonb -> \(bind(field)) = to_jsonb(\(bind(value))::text)"
        case .all:
            break
        case .changedSince(let version):
            sql += " AND version > \(bind(version))"
        }
        var order = "key"
        if case .changedSince = query.selector {
            // The changes feed pages by version; `after` (a key) means nothing there.
            order = "version"
        } else if let after = query.after {
            sql += " AND key > \(bind(after))"
        }
        sql += " ORDER BY \(order) LIMIT \(bind(max(0, query.limit)))"
        return try await read(
            "reading records of \(query.resource) (table record)", PostgresQuery(unsafeSQL: sql, binds: binds)
        ) { row in
            let (resource, key, subject, fields, version, updatedAt) = try row.decode(
                (String, String, String?, ByteBuffer, Int, Int64).self)
            return StoredRecord(
                resource: resource, key: key, subject: subject, canonicalFields: Array(fields.readableBytesView),
                version: version, updatedAt: Timestamp(secondsSince1970: updatedAt))
        }
    }

    public func recordCount(resource: String) async throws -> Int {
        try await read(
            "counting records of \(resource) (table record)", "SELECT COUNT(*) FROM record WHERE resource = \(resource)"
        ) { try $0.decode(Int.self) }.first ?? 0
    }

    // MARK: Nonces

    /// Of two replicas remembering the same nonce at once, exactly one gets `true`: the second insert waits
    /// for the first to commit and then finds the nonce.
    public func rememberNonce(
        _ nonce: String, issuer: String, at moment: Timestamp, until: Timestamp
    ) async throws
        -> Bool
    {
        do {
            try await write("remembering a nonce of \(issuer) (table nonce)") { connection in
                try await apply(.rememberNonce(issuer: issuer, nonce: nonce, at: moment, until: until), connection)
            }
            return true
        } catch let error as StoreError where error.code == .replayed {
            return false
        }
    }

    public func isNonceRemembered(_ nonce: String, issuer: String) async throws -> Bool {
        try await read(
            "looking up a nonce of \(issuer) (table nonce)",
            "SELECT EXISTS (SELECT 1 FROM nonce WHERE issuer = \(issuer) AND nonce = \(nonce))"
        ) { try $0.decode(Bool.self) }.first ?? false
    }

    // MARK: Received records

    public func receivedRecords(requestHash: String) async throws -> [ReceivedRecord] {
        try await read(
            "reading the records received for request \(requestHash) (tables receipt, received_record)",
            """
            SELECT provider, resource, key, subject, fields, request_hash, purpose, expires_at, consent_ids
            FROM received_record JOIN receipt ON receipt.id = received_record.receipt
            WHERE request_hash = \(requestHash) ORDER BY key
            """
        ) { row in
            let (provider, resource, key, subject, fields, requestHash, purpose, expiresAt, consents) = try row.decode(
                (String, String, String, String?, ByteBuffer, String, String, Int64, String).self)
            return ReceivedRecord(
                provider: provider, resource: resource, key: key, subject: subject,
                fields: try StoredRecord.fields(fields.readableBytesView, of: "a received record"),
                requestHash: requestHash, purpose: purpose,
                expiresAt: Timestamp(secondsSince1970: expiresAt), consentIDs: ReceivedRecord.consents(stored: consents)
            )
        }
    }

    public func receivedRequests(
        expiringBy moment: Timestamp
    ) async throws -> [(
        requestHash: String, provider: String, resource: String
    )] {
        try await read(
            "reading the received records expiring by \(moment) (table receipt)",
            """
            SELECT request_hash, provider, resource FROM receipt
            WHERE expires_at <= \(moment.secondsSince1970) ORDER BY request_hash
            """
        ) { row in
            let (requestHash, provider, resource) = try row.decode((String, String, String).self)
            return (requestHash: requestHash, provider: provider, resource: resource)
        }
    }

    public func receivedRequests(provider: String, subject: String, consentID: String) async throws -> [String] {
        let marker = ",\(consentID),"
        return try await read(
            "reading the requests answered by \(provider) about a subject under a consent (tables receipt, received_record)",
            """
            SELECT DISTINCT request_hash FROM received_record JOIN receipt ON receipt.id = received_record.receipt
            WHERE provider = \(provider) AND consent_subject = \(subject) AND strpos(consent_ids, \(marker)) > 0
            ORDER BY request_hash
            """
        ) { try $0.decode(String.self) }
    }

    public func peersHolding(subject: String, consentID: String) async throws -> [String] {
        try await read(
            "reading the peers holding records under consent \(consentID) (table disclosed_under_consent)",
            """
            SELECT peer FROM disclosed_under_consent WHERE subject = \(subject) AND consent_id = \(consentID)
            ORDER BY peer
            """
        ) { try $0.decode(String.self) }
    }

    // MARK: Subscriptions

    public func saveSubscription(_ subscription: SubscriptionState) async throws {
        // The cursor and the last sync live in their own columns; the document holds the agreed terms.
        var document = subscription
        document.cursor = 0
        document.lastSyncAt = nil
        let bytes = try Self.encode(document)
        try await write("saving subscription \(subscription.agreementID) (table subscription)") { connection in
            try await execute(
                connection,
                """
                INSERT INTO subscription (agreement_id, document, cursor)
                VALUES (\(subscription.agreementID), \(bytes), \(subscription.cursor))
                ON CONFLICT (agreement_id) DO UPDATE SET document = excluded.document
                """)
        }
    }

    public func subscriptions() async throws -> [SubscriptionState] {
        try await read(
            "reading the subscriptions (table subscription)",
            "SELECT document, cursor, last_sync_at FROM subscription ORDER BY agreement_id"
        ) { row in
            let (document, cursor, lastSyncAt) = try row.decode((ByteBuffer, Int, Int64?).self)
            var state = try Self.decode(SubscriptionState.self, document, table: "subscription")
            state.cursor = cursor
            state.lastSyncAt = lastSyncAt.map { Timestamp(secondsSince1970: $0) }
            return state
        }
    }
}
