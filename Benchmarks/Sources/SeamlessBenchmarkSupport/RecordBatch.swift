import Seamless

/// A deterministic batch of synthetic household-registration records, as a provider node would send in
/// answer to a bulk request: pseudonymous ids, district, address line, members, dates and a status.
/// Every value is made up by a seeded generator; none is real personal data.
public struct RecordBatch: Sendable {
    /// The batch as a JSON value.
    public let value: JSONValue
    /// Its canonical JSON bytes.
    public let canonicalBytes: [UInt8]
    /// How many records it holds.
    public let recordCount: Int

    /// The ~1 MB batch every envelope benchmark uses.
    public static let oneMegabyte = RecordBatch(targetBytes: 1_000_000)

    /// Builds records until the canonical batch reaches `targetBytes`.
    public init(targetBytes: Int, seed: UInt64 = 0x5EA4_1E55) {
        var random = SplitMix64(seed: seed)
        var records: [JSONValue] = []
        // Canonical size of the wrapper object without records, plus each record and its comma.
        var size = CanonicalJSON.serialize(Self.wrap([])).count
        while size < targetBytes {
            let record = Self.record(&random)
            size += CanonicalJSON.serialize(record).count + (records.isEmpty ? 0 : 1)
            records.append(record)
        }
        value = Self.wrap(records)
        canonicalBytes = CanonicalJSON.serialize(value)
        recordCount = records.count
    }

    private static func wrap(_ records: [JSONValue]) -> JSONValue {
        [
            "resource": "gov.public-security/household-registration",
            "provider": "gov.public-security",
            "generatedAt": "2026-03-02T08:15:00Z",
            "catalogRevision": 42,
            "fields": ["subjectId", "householdId", "district", "address", "members", "registeredOn", "status"],
            "records": .array(records),
        ]
    }

    static let districts = [
        "Xinhua District", "Heping District", "Jinshui District", "Erqi District", "Zhongyuan District",
        "Huiji District", "Guancheng District", "Shangjie District",
    ]
    static let streets = [
        "Renmin Road", "Jiefang Road", "Zhongshan Road", "Wenhua Road", "Jianshe Road", "Nongye Road",
        "Hanghai Road", "Zijingshan Road", "Huayuan Road", "Jingsan Road",
    ]
    static let relations = ["spouse", "child", "parent", "sibling", "grandchild", "other"]
    static let statuses = ["active", "active", "active", "active", "moved-out", "merged", "under-review"]
    static let categories = ["none", "none", "none", "minimum-living-allowance", "disability-support", "elderly-care"]

    /// One record of about 450 canonical bytes.
    static func record(_ random: inout SplitMix64) -> JSONValue {
        let district = random.pick(districts)
        let address =
            "Building \(random.int(1...40)), Unit \(random.int(1...6)), Room \(random.int(1...32))0\(random.int(1...4)), "
            + "\(random.int(1...399)) \(random.pick(streets)), \(district)"
        let members: [JSONValue] = (0..<random.int(1...3)).map { _ in
            [
                "subjectId": .string("subj-" + random.hex(16)),
                "relation": .string(random.pick(relations)),
                "birthYear": .number(Double(random.int(1935...2024))),
            ]
        }
        return [
            "subjectId": .string("subj-" + random.hex(16)),
            "householdId": .string("hh-\(random.int(2000...2025))-\(random.hex(8))"),
            "district": .string(district),
            "address": .string(address),
            "members": .array(members),
            "registeredOn": .string(random.date(years: 1990...2024)),
            "lastVerifiedOn": .string(random.date(years: 2024...2026)),
            "status": .string(random.pick(statuses)),
            "benefitCategory": .string(random.pick(categories)),
            "recordVersion": .number(Double(random.int(1...12))),
        ]
    }
}
