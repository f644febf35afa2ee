import Seamless

/// A deterministic ~1 KB exchange request: the small message every consumer node sends.
public enum RequestMessage {
    /// The request as a JSON value.
    public static let value: JSONValue = {
        var random = SplitMix64(seed: 0xBEEF_CAFE)
        let subjects: [JSONValue] = (0..<20).map { _ in .string("subj-" + random.hex(16)) }
        return [
            "requestId": .string("req-" + random.hex(24)),
            "requester": "gov.civil-affairs",
            "resource": "gov.public-security/household-registration",
            "fields": ["subjectId", "householdId", "district", "address", "members", "registeredOn", "status"],
            "purpose": "social-assistance.eligibility",
            "legalBasis": [
                "kind": "consent",
                "consentIds": .array((0..<3).map { _ in .string("consent-" + random.hex(20)) }),
            ],
            "subjects": .array(subjects),
            "caseReference": "CA-2026-0301-00417",
            "requestedAt": "2026-03-01T09:30:00Z",
            "dataLifeDays": 30,
            "strict": false,
        ]
    }()

    /// Its canonical JSON bytes.
    public static let canonicalBytes: [UInt8] = CanonicalJSON.serialize(value)
}
