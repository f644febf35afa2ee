import Seamless
import SeamlessBenchmarkSupport

/// Synthetic household-registration records of ten flat fields, about 450 bytes of canonical JSON each,
/// and the catalog entries that describe them. Deterministic (seeded), no real personal data.
enum HouseholdRecords {
    static let provider = "gov.public-security"
    static let consumer = "gov.civil-affairs"
    static let purpose = "benefit-administration"
    /// Shared unconditionally: the single-record round trips ask it.
    static let lookup = "gov.public-security/household-lookup"
    /// Shared under an approved agreement: the subscription follows it.
    static let registration = "gov.public-security/household-registration"

    static let fieldNames = [
        "householdId", "subjectId", "district", "address", "members", "registeredOn", "lastVerifiedOn", "status",
        "benefitCategory", "recordVersion",
    ]

    static let purposes = PurposeRegistry(purposes: [
        Purpose(code: "*", text: "Default", limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])),
        // No frequency limit: a subscription pulls thousands of pages and the round trips ask without pause.
        Purpose(
            code: purpose, text: "Administering benefits",
            limits: PurposeLimits(maxDataLifeDays: 365, legalBases: [.statutoryDuty])),
    ])

    static func entry(_ id: String, sharing: SharingLabel) -> CatalogEntry {
        CatalogEntry(
            id: id, title: "Household registration records", description: "One record per registered household",
            provider: provider, format: .database, updateCycle: .daily, grade: .important, sharing: sharing,
            openness: .closed, purposes: [purpose],
            items: [
                DataItem(name: "householdId", type: .string, sensitivity: .internal, primaryKey: true),
                DataItem(name: "subjectId", type: .string, sensitivity: .personal),
                DataItem(name: "district", type: .string, sensitivity: .internal),
                DataItem(name: "address", type: .string, sensitivity: .personal),
                DataItem(name: "members", type: .string, sensitivity: .personal),
                DataItem(name: "registeredOn", type: .date, sensitivity: .internal),
                DataItem(name: "lastVerifiedOn", type: .date, sensitivity: .internal),
                DataItem(name: "status", type: .string, sensitivity: .internal),
                DataItem(name: "benefitCategory", type: .string, sensitivity: .personal),
                DataItem(name: "recordVersion", type: .integer, sensitivity: .internal),
            ])
    }

    static let districts = [
        "Xinhua District", "Heping District", "Jinshui District", "Erqi District", "Zhongyuan District",
        "Huiji District", "Guancheng District", "Shangjie District",
    ]
    static let streets = [
        "Renmin Road", "Jiefang Road", "Zhongshan Road", "Wenhua Road", "Jianshe Road", "Nongye Road",
        "Hanghai Road", "Zijingshan Road", "Huayuan Road", "Jingsan Road",
    ]
    static let communities = [
        "Dongfeng", "Xiyuan", "Nanguan", "Beihai", "Qingnian", "Chaoyang", "Minzhu", "Huaxia", "Yongan", "Xingfu",
    ]
    static let relations = ["spouse", "child", "parent", "sibling", "grandchild", "other"]
    static let statuses = ["active", "active", "active", "active", "moved-out", "merged", "under-review"]
    static let categories = ["none", "none", "none", "minimum-living-allowance", "disability-support", "elderly-care"]

    /// The key of record `index` (unique per resource).
    static func key(_ index: Int) -> String {
        let digits = String(index)
        return "hh-" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    /// Record `index` of `resource`; the same index always gives the same record.
    static func record(_ index: Int, of resource: String) -> ProviderRecord {
        var random = SplitMix64(seed: 0x5EA4_1E55 &+ UInt64(index) &* 0x9E37_79B9)
        let district = random.pick(districts)
        let address =
            "Building \(random.int(1...40)), Unit \(random.int(1...6)), Room \(random.int(1...32))0\(random.int(1...4)), "
            + "\(random.int(1...399)) \(random.pick(streets)), \(random.pick(communities)) Community, \(district), "
            + "postcode 4500\(random.int(10...99))"
        let members = (0..<random.int(1...4)).map { _ in
            "subj-\(random.hex(16)) (\(random.pick(relations)), born \(random.int(1935...2024)))"
        }
        let subject = "subj-" + random.hex(16)
        return ProviderRecord(
            resource: resource, key: key(index), subject: subject,
            fields: [
                "householdId": .string(key(index)),
                "subjectId": .string(subject),
                "district": .string(district),
                "address": .string(address),
                "members": .string(members.joined(separator: "; ")),
                "registeredOn": .string(random.date(years: 1990...2024)),
                "lastVerifiedOn": .string(random.date(years: 2024...2026)),
                "status": .string(random.pick(statuses)),
                "benefitCategory": .string(random.pick(categories)),
                "recordVersion": .number(Double(random.int(1...12))),
            ], updatedAt: .now)
    }
}
