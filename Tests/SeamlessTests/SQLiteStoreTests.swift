import Foundation
import GRDB
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

@Suite("SQLite store")
struct SQLiteStoreTests {
    typealias F = FederationFixture

    @Test("catalog imports make content-addressed revisions; old revisions stay readable after reopening")
    func catalogRevisions() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("node.sqlite")
        let first: Catalog
        let second: Catalog
        do {
            let store = try SQLiteStore(path: path)
            #expect(try await store.currentCatalog().entries.isEmpty)
            first = try await store.importCatalogEntries([F.household, F.secrets], at: F.t("2026-11-01T00:00:00Z"))
            let again = try await store.importCatalogEntries([F.household], at: F.t("2026-11-02T00:00:00Z"))
            #expect(again.revision == first.revision, "an import that changes nothing makes no revision")
            var renamed = F.household
            renamed.title = "Household registers"
            second = try await store.importCatalogEntries([renamed], at: F.t("2026-11-03T00:00:00Z"))
            #expect(second.revision != first.revision)
            #expect(second.entries.count == 2)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.currentCatalog() == second)
        #expect(try await reopened.catalog(revision: first.revision) == first)
        #expect(try await reopened.catalogRevisions().map(\.revision) == [first.revision, second.revision])
        // Restoring the first state makes it current again and keeps the whole timeline.
        let restored = try await reopened.importCatalogEntries([F.household], at: F.t("2026-11-04T00:00:00Z"))
        #expect(restored.revision == first.revision)
        #expect(
            try await reopened.catalogRevisions().map(\.revision) == [first.revision, second.revision, first.revision])
        #expect(try await reopened.currentCatalog() == first)
        #expect(try await reopened.catalog(revision: "sha256:nope") == nil)
    }

    @Test("consents are immutable; status changes are checked and never retroactive")
    func consents() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let recorded = F.t("2026-10-28T09:41:00Z")
        _ = try await store.recordConsent(F.consent, at: recorded, by: F.civil)
        await #expect(throws: StoreError.self) {
            _ = try await store.recordConsent(F.consent, at: recorded, by: F.civil)
        }
        let paused = try await store.changeConsent(
            id: F.consent.id, to: .paused, at: F.t("2026-11-10T00:00:00Z"), by: "subject", reason: nil)
        #expect(paused.state(at: F.t("2026-11-11T00:00:00Z")) == .paused)
        let early = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(
                id: F.consent.id, to: .withdrawn, at: F.t("2026-11-05T00:00:00Z"), by: "subject", reason: nil)
        }
        #expect(early?.reason.contains("retroactively") == true)
        _ = try await store.changeConsent(
            id: F.consent.id, to: .withdrawn, at: F.t("2026-11-20T00:00:00Z"), by: "subject", reason: "moved away")
        let again = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(
                id: F.consent.id, to: .active, at: F.t("2026-11-21T00:00:00Z"), by: "subject", reason: nil)
        }
        #expect(again?.code == .refused)
        let status = try #require(try await store.consent(id: F.consent.id))
        #expect(status.history.map(\.state) == [.active, .paused, .withdrawn])
        #expect(status.state(at: F.t("2026-11-09T00:00:00Z")) == .active)
        #expect(try await store.consents(subject: F.consent.subject).count == 1)
        #expect(try await store.consents(subject: "subj-other").isEmpty)
        let missing = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(id: "consent-nope", to: .withdrawn, at: .now, by: "x", reason: nil)
        }
        #expect(missing?.code == .notFound)
    }

    @Test("agreements move only through the state machine, and a refused transition changes nothing")
    func agreements() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        var application = F.agreement
        application.state = .applied
        application.history = [application.history[0]]
        try await store.recordAgreement(application)
        await #expect(throws: StoreError.self) { try await store.recordAgreement(application) }
        let refused = await #expect(throws: StoreError.self) {
            _ = try await store.transitionAgreement(
                id: application.id,
                AgreementEvent(state: .revoked, at: F.t("2026-10-21T00:00:00Z"), by: "Director", reason: "x"))
        }
        #expect(refused?.code == .refused)
        #expect(try await store.agreement(id: application.id) == application)
        let approved = try await store.transitionAgreement(
            id: application.id, AgreementEvent(state: .approved, at: F.t("2026-10-27T07:30:00Z"), by: "Director"))
        #expect(approved.state == .approved)
        #expect(try await store.agreements() == [approved])
    }

    @Test("the policy snapshot from the store decides like one built by hand")
    func snapshot() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        _ = try await store.importCatalogEntries(
            [F.household, F.insurance, F.secrets], at: F.t("2026-11-01T00:00:00Z"))
        try await store.savePurposes(F.purposes)
        _ = try await store.recordConsent(F.consent, at: F.t("2026-10-28T09:41:00Z"), by: F.civil)
        try await store.recordAgreement(F.agreement)
        let snapshot = try await store.policySnapshot(node: F.security, members: F.members)
        for request in [PolicyTests.marriageRequest(), PolicyTests.consentRequest()] {
            #expect(snapshot.decide(request) == F.snapshot().decide(request))
        }
    }

    @Test(
        "point reads (nonce, state version, records by key) see each commit at once, also with 200 callers at a time"
    )
    func pointReads() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let at = F.t("2026-11-01T00:00:00Z")
        _ = try await store.upsertRecords(
            (0..<40).map {
                ProviderRecord(
                    resource: F.household.id, key: "H-\($0)", subject: nil, fields: ["n": .number(Double($0))],
                    updatedAt: at)
            })
        let before = try await store.stateVersion()
        try await store.savePurposes(F.purposes)
        #expect(try await store.stateVersion() > before, "a policy change is seen by the next read")
        // 200 callers at once, each writing its nonce through the pool's writer and reading it and its record
        // straight back through the point readers.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let nonce = "nonce-\(index)"
                    #expect(try await !store.isNonceRemembered(nonce, issuer: F.civil))
                    #expect(
                        try await store.rememberNonce(nonce, issuer: F.civil, at: at, until: at.adding(seconds: 600)))
                    #expect(try await store.isNonceRemembered(nonce, issuer: F.civil))
                    let key = "H-\(index % 40)"
                    let page = try await store.storedRecords(
                        matching: RecordQuery(resource: F.household.id, selector: .keys([key]), limit: 2))
                    #expect(page.map(\.key) == [key])
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("an unreadable database file is refused with a clear error")
    func corruptFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "node.sqlite", Array("this is not a database".utf8) + [UInt8](repeating: 0, count: 4096))
        let error = #expect(throws: StoreError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.code == .database)
        #expect(error?.reason.contains(path) == true)
    }
}

@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    @Test("the writer syncs every commit (synchronous = FULL), though GRDB's WAL setup lowers it to NORMAL")
    func synchronousFull() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        #expect(try await store.synchronousMode() == 2)
    }
}

@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    @Test("v7 moves received records under their receipts: the same records, purges and expiries as before")
    func receivedGroupedByReceipt() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("node.sqlite")
        do {
            // A node database as v6 left it, with records received for two requests.
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v6: the consents received records came under")
            try await queue.write { db in
                for row in ReceivedV6Fixture.rows {
                    try db.execute(
                        sql: """
                            INSERT INTO received
                            (provider, resource, key, subject, fields, requestHash, purpose, expiresAt, consentIDs)
                            VALUES ('gov.a', 'gov.a/households', ?, ?, ?, ?, 'social-assistance', ?, ?)
                            """,
                        arguments: [
                            row.key, row.subject, Data(ReceivedV6Fixture.fieldsJSON(row.key).utf8), row.requestHash,
                            row.expiresAt, row.consentIDs,
                        ])
                }
            }
        }
        try await ReceivedV6Fixture.expectMigrated(try SQLiteStore(path: path))
    }
}
