import Foundation
import SeamlessTestSupport
import Testing

@testable import Seamless

/// Every example in Schemas/examples reads with the Swift validators and imports into a node's store,
/// and the federation they describe decides requests as its documents say.
@Suite("Federation examples")
struct FederationExamplesTests {
    static let examples = repositoryRoot.appendingPathComponent("Schemas/examples")
    static let departments = ["gov.public-security", "gov.civil-affairs", "gov.human-resources"]

    static func files(_ folder: String) -> [URL] {
        let url = examples.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { url.appendingPathComponent($0) }
    }

    static func read<T: ValidatableDocument>(_ type: T.Type, _ url: URL) throws -> T {
        try DocumentReader.read(T.self, from: Array(try Data(contentsOf: url)), source: url.lastPathComponent)
    }

    @Test("the examples describe at least three departments and a dozen resources across every label and grade")
    func coverage() throws {
        let entries = try Self.files("catalog-entry").map { try Self.read(CatalogEntry.self, $0) }
        #expect(entries.count >= 12)
        #expect(Set(entries.map(\.provider)) == Set(Self.departments))
        #expect(Set(entries.map(\.sharing.typeName)) == ["unconditional", "conditional", "none"])
        #expect(Set(entries.map(\.openness.typeName)) == ["open", "conditional", "closed"])
        #expect(Set(entries.map(\.grade)) == Set(DataGrade.allCases))
        #expect(Self.files("consent").count >= 4)
        #expect(Self.files("agreement").count >= 4)
    }

    @Test(
        "each department's examples import into its own SQLite node, and its lists match its catalog",
        arguments: departments)
    func importDepartment(department: String) async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let entries = try Self.files("catalog-entry").map { try Self.read(CatalogEntry.self, $0) }.filter {
            $0.provider == department
        }
        let catalog = try await store.importCatalogEntries(entries, at: .now)
        #expect(catalog.entries.count == entries.count)
        for url in Self.files("responsibility-list") {
            let list = try Self.read(ResponsibilityList.self, url)
            if list.department == department {
                #expect(list.issues(against: catalog).isEmpty, "\(list.issues(against: catalog))")
            }
            try await store.saveResponsibilityList(list)
        }
        try await store.saveCalendar(try Self.read(WorkingCalendar.self, Self.files("calendar")[0]))
        let registry = try Self.read(PurposeRegistry.self, Self.files("purposes")[0])
        try await store.savePurposes(registry)
        for entry in entries {
            for purpose in entry.purposes {
                #expect(registry.match(purpose)?.code == purpose, "'\(purpose)' of \(entry.id) is registered")
            }
        }
        for url in Self.files("agreement") {
            let agreement = try Self.read(Agreement.self, url)
            guard ResourceID.node(of: agreement.resource) == department else { continue }
            #expect(
                agreement.issues(against: catalog).isEmpty,
                "\(url.lastPathComponent): \(agreement.issues(against: catalog))")
            try await store.recordAgreement(agreement)
        }
        for url in Self.files("consent") {
            let record = try ConsentRecord.read(from: Array(try Data(contentsOf: url)), source: url.lastPathComponent)
            guard record.scope.contains(where: { ResourceID.node(of: $0.resource) == department }) else { continue }
            for scope in record.scope where ResourceID.node(of: scope.resource) == department {
                let entry = try #require(
                    catalog.entries[scope.resource], "\(url.lastPathComponent) names \(scope.resource)")
                #expect(scope.fields.allSatisfy { entry.item(named: $0) != nil })
                #expect(entry.purposes.contains { PurposeCode.is(record.purpose, within: $0) })
            }
            _ = try await store.recordConsent(record, at: record.given.at, by: record.controller)
        }
        #expect(try await store.currentCatalog() == catalog)
    }

    @Test("the example agreement lets Civil Affairs verify a household; without it, the request is refused")
    func exampleDecision() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let entries = try Self.files("catalog-entry").map { try Self.read(CatalogEntry.self, $0) }.filter {
            $0.provider == "gov.public-security"
        }
        _ = try await store.importCatalogEntries(entries, at: .now)
        try await store.savePurposes(try Self.read(PurposeRegistry.self, Self.files("purposes")[0]))
        let agreement = try Self.read(
            Agreement.self, Self.examples.appendingPathComponent("agreement/agr-2026-0042.json"))
        let request = AccessRequest(
            requester: agreement.requester, resource: agreement.resource, fields: agreement.fields,
            purpose: agreement.purpose,
            legalBasis: agreement.legalBasis, at: agreement.validFrom.adding(seconds: 86_400)
        )
        let members = Set(Self.departments)
        let without = try await store.policySnapshot(node: "gov.public-security", members: members).decide(request)
        #expect(without.denial?.code == .agreementRequired)
        try await store.recordAgreement(agreement)
        let with = try await store.policySnapshot(node: "gov.public-security", members: members).decide(request)
        #expect(with.grant?.fields == agreement.fields, "\(String(describing: with.denial))")
        #expect(with.basis.agreementID == agreement.id)
    }
}
