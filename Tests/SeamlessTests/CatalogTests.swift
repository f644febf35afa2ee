import Foundation
import SeamlessFixtures
import Testing

@testable import Seamless

@Suite("Catalog rules")
struct CatalogTests {
    static func entry(_ change: (inout CatalogEntry) -> Void) -> CatalogEntry {
        var entry = FederationFixture.household
        change(&entry)
        return entry
    }

    static let cases: [(String, String, String, CatalogEntry)] = [
        (
            "conditional without a condition", "catalog.condition-required", "$.sharing.condition",
            entry { $0.sharing = .conditional(condition: "") }
        ),
        (
            "none without a basis", "catalog.basis-required", "$.sharing.basis",
            entry {
                $0.sharing = .notShared(basis: ""); $0.purposes = []
            }
        ),
        (
            "none but open", "catalog.unshared-must-be-closed", "$.openness.type",
            entry {
                $0.sharing = .notShared(basis: "Law"); $0.openness = .conditional(condition: "x")
            }
        ),
        (
            "core and unconditional", "catalog.core-never-unconditional", "$.sharing.type",
            entry {
                $0.grade = .core; $0.sharing = .unconditional; $0.items[2].sharing = .conditional(condition: "c")
            }
        ),
        (
            "a field more open than its resource", "catalog.field-more-open-than-resource", "$.items[1].sharing.type",
            entry { $0.items[1].sharing = .unconditional }
        ),
        (
            "a provider that does not own the id", "catalog.provider-mismatch", "$.provider",
            entry { $0.provider = "gov.civil-affairs" }
        ),
        ("a duplicate field", "catalog.duplicate-field", "$.items[1].name", entry { $0.items[1].name = "householdId" }),
        ("no primary key", "catalog.primary-key-required", "$.items", entry { $0.items[0].primaryKey = false }),
        ("no purposes", "catalog.purposes-required", "$.purposes", entry { $0.purposes = [] }),
        (
            "personal data open to the public", "catalog.personal-data-open", "$.openness.type",
            entry { $0.openness = .open }
        ),
        (
            "a sensitive field shared unconditionally", "catalog.sensitive-field-unconditional", "$.items[3].sharing",
            entry {
                $0.sharing = .unconditional; $0.items[3].sharing = nil
            }
        ),
        (
            "conditional openness without a condition", "catalog.condition-required", "$.openness.condition",
            entry { $0.openness = .conditional(condition: "") }
        ),
        (
            "a malformed purpose", "catalog.bad-purpose", "$.purposes[0]",
            entry { $0.purposes[0] = "Marriage Registration" }
        ),
    ]

    @Test("the fixture entries are valid")
    func fixturesValid() {
        for entry in [FederationFixture.household, FederationFixture.insurance, FederationFixture.secrets] {
            #expect(entry.validationIssues().isEmpty, "\(entry.id): \(entry.validationIssues())")
        }
    }

    @Test("each catalog rule has its own error naming the path", arguments: cases.indices)
    func rule(index: Int) {
        let (name, rule, path, entry) = Self.cases[index]
        let issues = entry.validationIssues()
        #expect(issues.contains { $0.rule == rule && $0.path == path }, "\(name): \(issues)")
    }

    @Test("reading a file names the JSON path of a wrong value and refuses unknown members")
    func readingErrors() throws {
        var value = try JSONParser().parse(CanonicalJSON.encode(FederationFixture.household))
        guard case .object(var members) = value else { return }
        members["grade"] = "secret"
        members["purpose"] = "typo"
        value = .object(members)
        let error = #expect(throws: DocumentError.self) {
            try DocumentReader.read(CatalogEntry.self, from: CanonicalJSON.serialize(value), source: "entry.json")
        }
        #expect(error?.issues.first?.path == "$.grade")
        #expect(error?.description.hasPrefix("entry.json: $.grade") == true)
        members["grade"] = "important"
        let second = #expect(throws: DocumentError.self) {
            try DocumentReader.read(CatalogEntry.self, from: CanonicalJSON.serialize(.object(members)))
        }
        #expect(second?.issues.map(\.rule) == ["document.unknown-member"])
        #expect(second?.issues.first?.path == "$.purpose")
    }

    @Test("a missing member is named")
    func missingMember() throws {
        var members = try JSONParser().parse(CanonicalJSON.encode(FederationFixture.household)).objectValue!
        members["updateCycle"] = nil
        let error = #expect(throws: DocumentError.self) {
            try DocumentReader.read(CatalogEntry.self, from: CanonicalJSON.serialize(.object(members)))
        }
        #expect(error?.issues.first?.rule == "document.missing-member")
        #expect(error?.issues.first?.path == "$.updateCycle")
    }

    @Test("the revision is a content hash: same entries, same revision, in any order")
    func revision() {
        let a = Catalog(entries: [FederationFixture.household, FederationFixture.insurance])
        let b = Catalog(entries: [FederationFixture.insurance, FederationFixture.household])
        #expect(a.revision == b.revision)
        #expect(a.revision.hasPrefix("sha256:"))
        var changed = FederationFixture.household
        changed.title += "."
        #expect(a.applying([changed]).revision != a.revision)
    }
}
