import Seamless
import Testing

/// Records received for two requests, as a v6 database held them (one row per record, in `received`), and
/// what a store migrated to v7 must answer about them: the migration tests of both stores use it.
public enum ReceivedV6Fixture {
    /// Key, subject, request hash, expiry and consents (v6's stored form) of each row; every row is from
    /// `gov.a`, resource `gov.a/households`, purpose `social-assistance`, with fields `{"householdId": key}`.
    /// The last was received under a statutory duty: no consent.
    public static let rows:
        [(key: String, subject: String?, requestHash: String, expiresAt: Int64, consentIDs: String)] = [
            ("H-1", "subj-a", "sha256:r1", 1_800_000_000, ",consent-1,"),
            ("H-2", nil, "sha256:r1", 1_800_000_000, ",consent-1,"),
            ("H-1", "subj-a", "sha256:r2", 1_700_000_000, ",consent-1,"),
            ("H-3", "subj-a", "sha256:r3", 1_800_000_000, ","),
        ]

    /// The fields' stored JSON of the row with `key`.
    public static func fieldsJSON(_ key: String) -> String { #"{"householdId":"\#(key)"}"# }

    /// Checks that `store` holds the rows under their receipts: the same records, expiries and purges.
    /// Purges them, so call it last.
    public static func expectMigrated(_ store: any Store) async throws {
        let first = try await store.receivedRecords(requestHash: "sha256:r1")
        #expect(first.map(\.key) == ["H-1", "H-2"])
        #expect(first.map(\.subject) == ["subj-a", nil])
        #expect(first.first?.fields == ["householdId": "H-1"])
        #expect(first.first?.consentIDs == ["consent-1"])
        #expect(first.first?.expiresAt == Timestamp(secondsSince1970: 1_800_000_000))
        #expect(
            try await store.receivedRequests(expiringBy: Timestamp(secondsSince1970: 1_750_000_000)).map(\.requestHash)
                == ["sha256:r2"])
        #expect(
            try await store.receivedRequests(provider: "gov.a", subject: "subj-a", consentID: "consent-1")
                == ["sha256:r1", "sha256:r2"])
        #expect(try await store.receivedRecords(requestHash: "sha256:r3").map(\.consentIDs) == [[]])
        // A withdrawal purges the subject's records received under that consent, and only those; a receipt
        // left without records goes too.
        let size = try await store.auditSize()
        try await store.appendAuditEntries(
            [], from: size, applying: [.purgeConsent(provider: "gov.a", subject: "subj-a", consentID: "consent-1")])
        #expect(try await store.receivedRecords(requestHash: "sha256:r1").map(\.key) == ["H-2"])
        #expect(try await store.receivedRecords(requestHash: "sha256:r2").isEmpty)
        #expect(try await store.receivedRecords(requestHash: "sha256:r3").map(\.key) == ["H-3"])
        #expect(
            try await store.receivedRequests(expiringBy: Timestamp(secondsSince1970: 1_750_000_000)).isEmpty)
        try await store.appendAuditEntries([], from: size, applying: [.purgeRequest(requestHash: "sha256:r1")])
        #expect(try await store.receivedRecords(requestHash: "sha256:r1").isEmpty)
        #expect(try await store.receivedRecords(requestHash: "sha256:r3").map(\.key) == ["H-3"])
    }
}
