import NIOCore
import PostgresNIO
import Seamless

// The audit log, its checkpoints, and what this node keeps of its peers' catalogs and logs.
extension PostgresStore {
    /// Appends under an exclusive lock on `audit_entry`, so of several replicas appending at once exactly one
    /// finds the log at the length it expects; the others get ``StoreError/Code/conflict``, catch up and
    /// number their batch again (``AuditLog`` does). Readers are not blocked.
    public func appendAuditEntries(
        _ entries: [(entry: [UInt8], leafHash: [UInt8])], from sequence: Int, applying changes: [StoreChange]
    ) async throws {
        let sequences = entries.indices.map { sequence + $0 }
        let bytes = entries.map { ByteBuffer(bytes: $0.entry) }
        let hashes = entries.map { ByteBuffer(bytes: $0.leafHash) }
        try await write("appending \(entries.count) audit entries from \(sequence) (table audit_entry)") {
            connection in
            try await execute(connection, "LOCK TABLE audit_entry IN EXCLUSIVE MODE")
            let next =
                try await rows(connection, "SELECT COALESCE(MAX(sequence) + 1, 0) FROM audit_entry") {
                    try $0.decode(Int.self)
                }.first ?? 0
            guard next == sequence else {
                throw StoreError(
                    .conflict, "the audit log has \(next) entries, not \(sequence): another writer appended first")
            }
            if !entries.isEmpty {
                try await execute(
                    connection,
                    """
                    INSERT INTO audit_entry (sequence, entry, leaf_hash)
                    SELECT * FROM unnest(\(sequences)::bigint[], \(bytes)::bytea[], \(hashes)::bytea[])
                    """)
            }
            for change in changes { try await apply(change, connection) }
        }
    }

    /// Applies one state change in the appending transaction.
    func apply(_ change: StoreChange, _ connection: PostgresConnection) async throws {
        switch change {
        case .keepReceived(let records):
            // One receipt per request (what its records share), then its records in one statement.
            for (requestHash, group) in Dictionary(grouping: records, by: \.requestHash).sorted(by: { $0.key < $1.key })
            {
                let first = group[0]  // grouping makes no empty groups
                let receipt =
                    try await rows(
                        connection,
                        """
                        INSERT INTO receipt (request_hash, provider, resource, purpose, expires_at, consent_ids)
                        VALUES (\(requestHash), \(first.provider), \(first.resource), \(first.purpose),
                            \(first.expiresAt.secondsSince1970), \(ReceivedRecord.storedConsents(first.consentIDs)))
                        ON CONFLICT (request_hash) DO UPDATE SET provider = excluded.provider,
                            resource = excluded.resource, purpose = excluded.purpose, expires_at = excluded.expires_at,
                            consent_ids = excluded.consent_ids
                        RETURNING id
                        """
                    ) { try $0.decode(Int64.self) }.first
                guard let receipt else {
                    throw StoreError(.database, "the receipt of \(requestHash) was not stored (table receipt)")
                }
                // The last copy of a key wins, as a row-by-row upsert would have it.
                var latest: [String: ReceivedRecord] = [:]
                for record in group { latest[record.key] = record }
                let kept = latest.values.sorted { $0.key < $1.key }
                let keys = kept.map(\.key)
                // PostgresNIO binds no arrays of optionals: a subject travels with a flag saying it is there.
                let subjects = kept.map { $0.subject ?? "" }
                let hasSubject = kept.map { $0.subject != nil }
                // Only records received under consent are looked up by subject.
                let consentSubject = kept.map { $0.consentSubject != nil }
                let fields = kept.map { Self.bytes($0.fields) }
                try await execute(
                    connection,
                    """
                    INSERT INTO received_record (receipt, key, subject, consent_subject, fields)
                    SELECT \(receipt), k, CASE WHEN h THEN s END, CASE WHEN c THEN s END, f
                    FROM unnest(
                        \(keys)::text[], \(subjects)::text[], \(hasSubject)::bool[], \(consentSubject)::bool[],
                        \(fields)::bytea[]
                    ) AS t (k, s, h, c, f)
                    ON CONFLICT (receipt, key) DO UPDATE SET subject = excluded.subject,
                        consent_subject = excluded.consent_subject, fields = excluded.fields
                    """)
            }
        case .purgeRequest(let requestHash):
            try await execute(connection, "DELETE FROM receipt WHERE request_hash = \(requestHash)")
        case .purgeConsent(let provider, let subject, let consentID):
            let marker = ",\(consentID),"
            try await execute(
                connection,
                """
                DELETE FROM received_record WHERE consent_subject = \(subject) AND receipt IN
                    (SELECT id FROM receipt WHERE provider = \(provider) AND strpos(consent_ids, \(marker)) > 0)
                """)
            try await execute(
                connection,
                """
                DELETE FROM receipt WHERE provider = \(provider) AND strpos(consent_ids, \(marker)) > 0
                    AND NOT EXISTS (SELECT 1 FROM received_record WHERE received_record.receipt = receipt.id)
                """)
        case .disclosedUnderConsent(let peer, let consentIDs, let subjects):
            guard !consentIDs.isEmpty, !subjects.isEmpty else { return }
            try await execute(
                connection,
                """
                INSERT INTO disclosed_under_consent (peer, subject, consent_id)
                SELECT \(peer), subject, consent_id
                FROM unnest(\(subjects)::text[]) AS subject CROSS JOIN unnest(\(consentIDs)::text[]) AS consent_id
                ON CONFLICT DO NOTHING
                """)
        case .advanceCursor(let agreementID, let version, let moment, let from):
            guard let from else {
                try await execute(
                    connection,
                    """
                    UPDATE subscription SET cursor = GREATEST(cursor, \(version)), last_sync_at = \(moment.secondsSince1970)
                    WHERE agreement_id = \(agreementID)
                    """)
                break
            }
            let moved = try await count(
                connection,
                """
                UPDATE subscription SET cursor = GREATEST(cursor, \(version)), last_sync_at = \(moment.secondsSince1970)
                WHERE agreement_id = \(agreementID) AND cursor = \(from) RETURNING 1
                """)
            guard moved == 1 else {
                throw StoreError(
                    .refused,
                    "the cursor of subscription \(agreementID) is not at \(from): an earlier page was not kept, or another sync moved it (table subscription)",
                    change: change
                )
            }
        case .rememberNonce(let issuer, let nonce, let moment, let until):
            try await execute(connection, "DELETE FROM nonce WHERE valid_until < \(moment.secondsSince1970)")
            let inserted = try await count(
                connection,
                """
                INSERT INTO nonce (issuer, nonce, valid_until) VALUES (\(issuer), \(nonce), \(until.secondsSince1970))
                ON CONFLICT (issuer, nonce) DO NOTHING RETURNING 1
                """
            )
            guard inserted == 1 else {
                throw StoreError(.replayed, "nonce '\(nonce)' of \(issuer) was used already", change: change)
            }
        }
    }

    public func auditSize() async throws -> Int {
        try await read(
            "counting the audit entries (table audit_entry)", "SELECT COALESCE(MAX(sequence) + 1, 0) FROM audit_entry"
        ) { try $0.decode(Int.self) }.first ?? 0
    }

    public func auditLeafHashes(from start: Int) async throws -> [[UInt8]] {
        try await read(
            "reading the audit leaf hashes from \(start) (table audit_entry)",
            "SELECT leaf_hash FROM audit_entry WHERE sequence >= \(start) ORDER BY sequence"
        ) { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
    }

    public func auditEntries(_ range: Range<Int>) async throws -> [[UInt8]] {
        try await read(
            "reading audit entries \(range.lowerBound)..<\(range.upperBound) (table audit_entry)",
            """
            SELECT entry FROM audit_entry WHERE sequence >= \(range.lowerBound) AND sequence < \(range.upperBound)
            ORDER BY sequence
            """
        ) { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
    }

    /// Keeps the first note stored for a size: a later one would drop the cosignatures added to it.
    public func saveAuditCheckpoint(size: Int, note: String) async throws {
        try await write("saving the audit checkpoint of size \(size) (table audit_checkpoint)") { connection in
            try await execute(
                connection,
                "INSERT INTO audit_checkpoint (size, note) VALUES (\(size), \(note)) ON CONFLICT (size) DO NOTHING")
        }
    }

    public func updateAuditCheckpoint(size: Int, note: String) async throws {
        try await write("updating the audit checkpoint of size \(size) (table audit_checkpoint)") { connection in
            let updated = try await count(
                connection, "UPDATE audit_checkpoint SET note = \(note) WHERE size = \(size) RETURNING size"
            )
            guard updated == 1 else {
                throw StoreError(.notFound, "no checkpoint of size \(size) is stored")
            }
        }
    }

    public func auditCheckpoint(size: Int?) async throws -> (size: Int, note: String)? {
        let query: PostgresQuery =
            if let size {
                "SELECT size, note FROM audit_checkpoint WHERE size = \(size)"
            } else {
                "SELECT size, note FROM audit_checkpoint ORDER BY size DESC LIMIT 1"
            }
        return try await read("reading an audit checkpoint (table audit_checkpoint)", query) { row in
            let (size, note) = try row.decode((Int, String).self)
            return (size: size, note: note)
        }.first
    }

    public func auditCheckpoints() async throws -> [(size: Int, note: String)] {
        try await read(
            "reading the audit checkpoints (table audit_checkpoint)",
            "SELECT size, note FROM audit_checkpoint ORDER BY size"
        ) { row in
            let (size, note) = try row.decode((Int, String).self)
            return (size: size, note: note)
        }
    }

    // MARK: Peers

    public func savePeerCatalog(peer: String, catalog: Catalog, at moment: Timestamp) async throws {
        try await write("saving the catalog of peer \(peer) (table peer_catalog)") { connection in
            try await execute(
                connection,
                """
                INSERT INTO peer_catalog (peer, revision, entries, seen_at)
                VALUES (\(peer), \(catalog.revision), \(ByteBuffer(bytes: catalog.canonicalBytes)), \(moment.secondsSince1970))
                ON CONFLICT (peer) DO UPDATE
                SET revision = excluded.revision, entries = excluded.entries, seen_at = excluded.seen_at
                """)
        }
    }

    public func peerCatalog(peer: String) async throws -> Catalog? {
        try await read(
            "reading the catalog of peer \(peer) (table peer_catalog)",
            "SELECT entries FROM peer_catalog WHERE peer = \(peer)"
        ) { try Self.catalog(try $0.decode(ByteBuffer.self), table: "peer_catalog") }.first
    }

    public func saveWitnessedCheckpoint(peer: String, size: Int, note: String) async throws {
        try await write("saving the witnessed checkpoint of peer \(peer) (table witnessed_checkpoint)") {
            connection in
            try await execute(
                connection,
                """
                INSERT INTO witnessed_checkpoint (peer, size, note) VALUES (\(peer), \(size), \(note))
                ON CONFLICT (peer) DO UPDATE SET size = excluded.size, note = excluded.note
                """)
        }
    }

    public func witnessedCheckpoint(peer: String) async throws -> (size: Int, note: String)? {
        try await read(
            "reading the witnessed checkpoint of peer \(peer) (table witnessed_checkpoint)",
            "SELECT size, note FROM witnessed_checkpoint WHERE peer = \(peer)"
        ) { row in
            let (size, note) = try row.decode((Int, String).self)
            return (size: size, note: note)
        }.first
    }
}
