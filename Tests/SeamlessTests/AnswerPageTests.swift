import Testing

@testable import Seamless

@Suite("Answer pages written from stored bytes")
struct AnswerPageTests {
    static let decision = PolicyDecision(
        outcome: .granted(Grant(fields: ["name", "status", "名称"], withheld: ["income"], dataLifeDays: 30)),
        basis: DecisionBasis(catalogRevision: "sha256:abc", purpose: "social-assistance", legalBasis: .statutoryDuty))

    static func stored(_ key: String, subject: String?, _ fields: [String: JSONValue], version: Int) -> StoredRecord {
        StoredRecord(
            resource: "gov.a/r", key: key, subject: subject, canonicalFields: CanonicalJSON.serialize(.object(fields)),
            version: version, updatedAt: Timestamp(secondsSince1970: 1_795_000_000))
    }

    static let records: [StoredRecord] = [
        // Every field granted: the stored bytes are copied.
        stored(
            "k-1", subject: "p-1",
            ["name": "Li \"Ming\" \\ é 🚀", "status": .object(["a": [1, 2.5, -3e-7, true, .null]]), "名称": "x"],
            version: 7),
        // A withheld field: parsed and minimised.
        stored("k-2", subject: nil, ["name": "Wang", "income": 1234], version: 9),
        // Keys and subjects that need escaping, an empty object.
        stored("k\u{1}\"3", subject: "p\\3", [:], version: 12),
        stored("k-4", subject: "p-4", ["status": "moved", "\u{7}": "bell"], version: 15),
    ]

    @Test(
        "the page's bytes equal CanonicalJSON.encode of the same response, with and without versions and next",
        arguments: [true, false])
    func sameBytes(versions: Bool) throws {
        let granted: Set = ["name", "status", "名称"]
        for next in [nil, "12"] as [String?] {
            for count in 0...Self.records.count {
                let page = try Self.records.prefix(count).map { record throws(StoreError) in
                    (record: record, fields: try AnswerPage.grantedFields(of: record, granted: granted))
                }
                let head = ExchangeResponse(
                    requestHash: "sha256:def", decision: Self.decision, next: next, auditSequence: 41)
                var whole = head
                whole.records = try Self.records.prefix(count).map { record in
                    ResponseRecord(
                        key: record.key, subject: record.subject,
                        fields: try record.parsed().minimised(to: Array(granted)),
                        version: versions ? record.version : nil)
                }
                let fast = try #require(AnswerPage.canonicalJSON(of: head, records: page, versions: versions))
                #expect(fast == (try CanonicalJSON.encode(whole)), "\(count) records, next \(next ?? "none")")
                #expect(try ExchangeResponse(json: JSONParser().parse(fast)) == whole)
            }
        }
    }

    @Test("stored fields that are not a JSON object fail the page with a database error")
    func corruptFields() {
        var record = Self.records[0]
        record.canonicalFields = Array(#"{"name":"#.utf8)
        #expect(throws: StoreError.self) { try AnswerPage.grantedFields(of: record, granted: ["name"]) }
    }

    @Test("a response that holds records itself is not assembled from stored bytes")
    func refusesFilledResponse() {
        let response = ExchangeResponse(
            requestHash: "sha256:def", decision: Self.decision,
            records: [ResponseRecord(key: "k", subject: nil, fields: [:])])
        #expect(AnswerPage.canonicalJSON(of: response, records: [], versions: false) == nil)
    }
}
