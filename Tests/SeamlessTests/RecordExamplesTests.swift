import Foundation
import Seamless
import SeamlessTestSupport
import Testing

/// The example records in Schemas/examples/records/ read line by line as `exchange-node records import` reads
/// them, fit the consents, and hostile lines are refused with the rule a person can act on.
@Suite("Example records")
struct RecordExamplesTests {
    static let examples = repositoryRoot.appendingPathComponent("Schemas/examples")
    /// The records files (named after their resource, as catalog entries are) and how many records each holds.
    static let expectedCounts: [String: Int] = [
        "civil-affairs.marriage-registration": 20,
        "human-resources.social-insurance-contributions": 40,
        "human-resources.social-insurance-enrolment-status": 40,
        "public-security.household-registration": 30,
    ]
    static let files = expectedCounts.keys.sorted()
    /// What example records carry in items labelled sharing `none`, instead of an ID number.
    static let placeholder = "(withheld in examples)"
    static let moment = Timestamp(secondsSince1970: 1_795_000_000)

    static func entry(_ stem: String) throws -> CatalogEntry {
        let url = examples.appendingPathComponent("catalog-entry/\(stem).json")
        return try JSONDecoder().decode(CatalogEntry.self, from: try Data(contentsOf: url))
    }

    /// The lines of a records file; the file must end with a newline and hold no empty line.
    static func lines(_ stem: String) throws -> [ArraySlice<UInt8>] {
        let bytes = Array(try Data(contentsOf: examples.appendingPathComponent("records/\(stem).jsonl")))
        #expect(bytes.last == 0x0A, "\(stem).jsonl ends with a newline")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { !$0.isEmpty }, "\(stem).jsonl has no empty line")
        return Array(lines)
    }

    /// Every record of a records file, as the importer reads them; a line that does not read fails the test.
    static func records(_ stem: String) throws -> [ProviderRecord] {
        let entry = try entry(stem)
        var records: [ProviderRecord] = []
        let reader = RecordLineReader(entry: entry)
        for (index, line) in try lines(stem).enumerated() {
            records.append(try reader.read(line: line, number: index + 1, at: moment))
        }
        return records
    }

    @Test("the records folder holds one JSON Lines file per example resource")
    func folder() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: Self.examples.appendingPathComponent("records").path)
        #expect(Set(names) == Set(Self.files.map { "\($0).jsonl" }))
    }

    @Test("every line reads against the resource's catalog entry, and the keys are unique", arguments: files)
    func readsEveryLine(stem: String) throws {
        let entry = try Self.entry(stem)
        let records = try Self.records(stem)
        #expect(records.count == Self.expectedCounts[stem])
        #expect(records.allSatisfy { $0.resource == entry.id })
        var seen = Set<String>()
        let repeated = records.map(\.key).filter { !seen.insert($0).inserted }
        #expect(repeated.isEmpty, "keys repeated in \(stem).jsonl: \(repeated)")
    }

    @Test("items labelled sharing none hold only the placeholder, never an ID number", arguments: files)
    func withheldItems(stem: String) throws {
        let entry = try Self.entry(stem)
        let withheld = entry.items.filter { entry.effectiveSharing(of: $0).typeName == "none" }.map(\.name)
        for record in try Self.records(stem) {
            for name in withheld {
                if let value = record.fields[name] {
                    #expect(value == .string(Self.placeholder), "\(record.key): \(name)")
                }
            }
        }
    }

    @Test("a data item named subject holds the record's own subject")
    func subjectItem() throws {
        let stem = "human-resources.social-insurance-enrolment-status"
        #expect(try Self.entry(stem).item(named: "subject") != nil)
        for record in try Self.records(stem) {
            #expect(record.subject != nil, "\(record.key) names its subject")
            #expect(record.fields["subject"] == record.subject.map(JSONValue.string), "\(record.key)")
        }
    }

    @Test("each consent's subject has records in every resource its consent scopes")
    func consentSubjects() throws {
        let folder = Self.examples.appendingPathComponent("consent")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(!names.isEmpty)
        for name in names.sorted() {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            let consent = try ConsentRecord.read(from: bytes, source: name)
            for scope in consent.scope {
                let stem = scope.resource.dropFirst(scope.resource.hasPrefix("gov.") ? 4 : 0)
                    .replacingOccurrences(of: "/", with: ".")
                guard Self.files.contains(stem) else { continue }
                let found = try Self.records(stem).filter { $0.subject == consent.subject }
                #expect(!found.isEmpty, "\(name): \(consent.subject) has no record of \(scope.resource)")
            }
        }
    }

    @Test("the keys and subjects the demo uses are there")
    func demoRecords() throws {
        let enrolment = try Self.records("human-resources.social-insurance-enrolment-status")
        let first = try #require(enrolment.first { $0.key == "hr-100001" })
        #expect(first.subject == "subj-7f3a91c2")
        #expect(first.fields["pensionEnrolled"] == .bool(true))
        let contributions = try Self.records("human-resources.social-insurance-contributions")
        // The contributions' key is three items (insured person, scheme, month), joined by '|'.
        #expect(
            contributions.filter { $0.subject == "subj-7f3a91c2" }.map(\.key) == ["hr-100001|pension|2026-10-01"])
        let households = try Self.records("public-security.household-registration")
        let household = try #require(households.first { $0.key == "ps-300001" })
        // A household of several people is about no single subject, so no consent of one member releases it.
        #expect(household.subject == nil)
        #expect(household.fields["memberIdNumber"] == .string(Self.placeholder))
        let marriages = try Self.records("civil-affairs.marriage-registration")
        #expect(marriages.filter { $0.subject == "subj-91d6b3a0" }.map(\.key) == ["ca-200001"])
    }

    @Test("the single-record examples read against the resource their file names")
    func singleRecordExamples() throws {
        let folder = Self.examples.appendingPathComponent("record")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(names.count >= 3)
        for name in names.sorted() {
            let stem = try #require(Self.files.first { name.hasPrefix($0 + ".") }, "\(name) names a resource")
            var bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(bytes.last == 0x0A)
            bytes.removeLast()
            let record = try ProviderRecord.read(line: bytes, number: 1, of: try Self.entry(stem), at: Self.moment)
            #expect(try Self.records(stem).contains(record), "\(name) is one of the records of \(stem).jsonl")
        }
    }

    @Test("a hostile or malformed line is refused with its rule, naming what is wrong", arguments: HostileLine.all)
    func refusesHostileLine(hostile: HostileLine) throws {
        let entry = try Self.entry(hostile.stem)
        do {
            let record = try ProviderRecord.read(line: hostile.bytes, number: 7, of: entry, at: Self.moment)
            Issue.record("accepted as the record \(record.key)")
        } catch {
            #expect(error.source == "line 7")
            #expect(
                error.issues.contains { $0.rule == hostile.rule && $0.path == hostile.path },
                "\(error)")
            if let named = hostile.named {
                #expect(error.description.contains(named), "\(error)")
            }
        }
    }
}

/// A line `exchange-node records import` must refuse, and the rule and JSON path it must be refused with.
struct HostileLine: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let rule: String
    let path: String
    /// What the message must name (the field, the resource), if anything.
    var named: String?
    var stem = "human-resources.social-insurance-enrolment-status"

    var testDescription: String { "\(name) → \(rule)" }

    init(
        _ name: String, _ line: String, _ rule: String, at path: String = "$", named: String? = nil,
        in stem: String = "human-resources.social-insurance-enrolment-status"
    ) {
        self.init(name, bytes: Array(line.utf8), rule, at: path, named: named, in: stem)
    }

    init(
        _ name: String, bytes: [UInt8], _ rule: String, at path: String = "$", named: String? = nil,
        in stem: String = "human-resources.social-insurance-enrolment-status"
    ) {
        self.name = name
        self.bytes = bytes
        self.rule = rule
        self.path = path
        self.named = named
        self.stem = stem
    }

    static let all: [HostileLine] = [
        HostileLine(
            "a field that is not a data item",
            #"{"subject":"subj-7f3a91c2","fields":{"insuredId":"hr-100001","monthlySalary":8800}}"#,
            "records.unknown-field", at: "$.fields.monthlySalary",
            named: "gov.human-resources/social-insurance-enrolment-status"),
        HostileLine(
            "a boolean item given as a string",
            #"{"fields":{"insuredId":"hr-100001","pensionEnrolled":"yes"}}"#,
            "records.bad-value", at: "$.fields.pensionEnrolled", named: "pensionEnrolled"),
        HostileLine(
            "a date that does not exist",
            #"{"fields":{"insuredId":"hr-100001","statusDate":"2026-02-30"}}"#,
            "records.bad-value", at: "$.fields.statusDate"),
        HostileLine(
            "a null value",
            #"{"fields":{"insuredId":"hr-100001","medicalEnrolled":null}}"#,
            "records.bad-value", at: "$.fields.medicalEnrolled"),
        HostileLine(
            "a fractional integer",
            #"{"fields":{"insuredId":"hr-100001","insuranceType":"pension","cumulativeMonths":12.5}}"#,
            "records.bad-value", at: "$.fields.cumulativeMonths",
            in: "human-resources.social-insurance-contributions"),
        HostileLine(
            "no primary key",
            #"{"subject":"subj-7f3a91c2","fields":{"pensionEnrolled":true}}"#,
            "records.key-required", at: "$.fields.insuredId", named: "insuredId"),
        HostileLine(
            "a primary key too large for any integer (once crashed the reader)",
            #"{"fields":{"insuredId":1e300}}"#,
            "records.bad-value", at: "$.fields.insuredId", named: "insuredId"),
        HostileLine(
            "an empty primary key",
            #"{"fields":{"householdId":"","district":"临江区"}}"#,
            "records.key-required", at: "$.fields.householdId", in: "public-security.household-registration"),
        HostileLine(
            "a subject shaped like a resident identity number",
            #"{"subject":"00000000000000000X","fields":{"insuredId":"hr-100001"}}"#,
            "records.bad-subject", at: "$.subject"),
        HostileLine(
            "a subject that is a phone number",
            #"{"subject":"13800000000","fields":{"insuredId":"hr-100001"}}"#,
            "records.bad-subject", at: "$.subject"),
        HostileLine(
            "a subject that is not a string",
            #"{"subject":7,"fields":{"insuredId":"hr-100001"}}"#,
            "records.bad-subject", at: "$.subject"),
        HostileLine(
            "a truncated line",
            #"{"subject":"subj-7f3a91c2","fields":{"insuredId":"hr-100001","pensionEn"#,
            "records.bad-json"),
        HostileLine(
            "a member given twice",
            #"{"fields":{"insuredId":"hr-100001","insuredId":"hr-100002"}}"#,
            "records.bad-json"),
        HostileLine(
            "bytes that are not UTF-8",
            bytes: Array(#"{"fields":{"insuredId":"hr-"#.utf8) + [0xFF, 0xFE] + Array(#""}}"#.utf8),
            "records.bad-json"),
        HostileLine("an array", #"["hr-100001",true]"#, "records.not-object"),
        HostileLine("a bare string", #""hr-100001""#, "records.not-object"),
        HostileLine("null", "null", "records.not-object"),
        HostileLine(
            "a member besides subject and fields",
            #"{"fields":{"insuredId":"hr-100001"},"idNumber":"(withheld in examples)"}"#,
            "records.unknown-member", at: "$.idNumber"),
        HostileLine(
            "fields that are not an object",
            #"{"subject":"subj-7f3a91c2","fields":["insuredId","hr-100001"]}"#,
            "records.fields-required", at: "$.fields"),
    ]
}
