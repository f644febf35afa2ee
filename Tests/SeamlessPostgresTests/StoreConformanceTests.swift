import Foundation
import Seamless
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

/// Every `Store` requirement, checked against both stores: what one store does, the other must do too.
/// Each check starts from an empty database of its own, so the cases run in parallel.
@Suite
struct `Store conformance` {
    @Test(arguments: StoreCheck.allCases)
    func `SQLite store`(_ check: StoreCheck) async throws {
        try await FreshDatabase.with(.sqlite) { store, database in try await check.run(store, database) }
    }

    @Test(.enabled(if: PostgresTestServer.shouldRun, PostgresTestServer.skipped), arguments: StoreCheck.allCases)
    func `PostgreSQL store`(_ check: StoreCheck) async throws {
        try await FreshDatabase.with(.postgres) { store, database in try await check.run(store, database) }
    }
}

/// One behaviour every store must have.
enum StoreCheck: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case catalogRevisions
    case listsCalendarPurposes
    case consents
    case agreements
    case auditAppend
    case auditConflict
    case auditCheckpoints
    case records
    case largeImport
    case recordSelectors
    case nonces
    case receivedRecords
    case subscriptions
    case disclosures
    case peers
    case stateVersion
    case replicas

    var testDescription: String {
        switch self {
        case .catalogRevisions:
            "catalog imports make content-addressed revisions; a restored revision becomes current again"
        case .listsCalendarPurposes: "responsibility lists, the calendar and the purposes round-trip and are replaced"
        case .consents: "consents are immutable; changes are checked, never retroactive, and kept in order"
        case .agreements: "agreements move only through the state machine; a refused transition changes nothing"
        case .auditAppend: "audit entries and leaf hashes read back byte for byte, from any start, in order"
        case .auditConflict: "an append at the wrong length is a conflict that writes neither entries nor changes"
        case .auditCheckpoints: "the first checkpoint note for a size is kept until it is updated with cosignatures"
        case .records: "upserted records get the next version of their resource and replace by key"
        case .largeImport:
            "an import larger than one statement's share keeps every record, numbers them in order, and counts the new ones"
        case .recordSelectors: "record queries page in byte order by key and select by key, subject, field or version"
        case .nonces: "a nonce is accepted once per issuer until it expires"
        case .receivedRecords: "received records keep one copy per record and are purged by request or by subject"
        case .subscriptions: "a subscription keeps its cursor when saved again, and the cursor never moves back"
        case .disclosures: "disclosures under consent name each peer once"
        case .peers: "a peer's latest catalog and witnessed checkpoint replace the earlier ones"
        case .stateVersion: "the state version changes with every policy change and only then"
        case .replicas: "two handles on one database append, remember nonces and number records without clashing"
        }
    }

    func run(_ store: any Store, _ database: FreshDatabase) async throws {
        switch self {
        case .catalogRevisions: try await Self.catalogRevisions(store, database)
        case .listsCalendarPurposes: try await Self.listsCalendarPurposes(store)
        case .consents: try await Self.consents(store, database)
        case .agreements: try await Self.agreements(store)
        case .auditAppend: try await Self.auditAppend(store, database)
        case .auditConflict: try await Self.auditConflict(store)
        case .auditCheckpoints: try await Self.auditCheckpoints(store)
        case .records: try await Self.records(store)
        case .largeImport: try await Self.largeImport(store)
        case .recordSelectors: try await Self.recordSelectors(store)
        case .nonces: try await Self.nonces(store)
        case .receivedRecords: try await Self.receivedRecords(store)
        case .subscriptions: try await Self.subscriptions(store)
        case .disclosures: try await Self.disclosures(store)
        case .peers: try await Self.peers(store)
        case .stateVersion: try await Self.stateVersion(store)
        case .replicas: try await Self.replicas(database)
        }
    }
}

// MARK: - Fixtures

extension StoreCheck {
    typealias F = FederationFixture

    static let household = F.household.id
    static let insurance = F.insurance.id

    static func list(_ department: String, name: String) -> ResponsibilityList {
        let official = Official(role: "Director", contact: "office@\(department).example.gov")
        return ResponsibilityList(
            department: department, name: name,
            resources: [
                ResourceResponsibility(
                    resource: "\(department)/registry", provider: official,
                    approver: Approver(role: "Director", contact: "approvals@example.gov", replyWithinWorkingDays: 5),
                    maintainer: Maintainer(role: "Data office", contact: "data@example.gov", updateCycle: .daily),
                    supervisor: official)
            ],
            needs: [ResourceNeed(resource: F.insurance.id, purpose: "social-assistance", reason: "Case checks")])
    }

    static func record(
        _ key: String, subject: String? = nil, district: String = "north", resource: String = household,
        at moment: String = "2026-11-01T00:00:00Z"
    ) -> ProviderRecord {
        ProviderRecord(
            resource: resource, key: key, subject: subject,
            fields: ["householdId": .string(key), "district": .string(district), "members": .number(3)],
            updatedAt: F.t(moment))
    }

    static func received(
        _ key: String, provider: String = F.security, resource: String = household, subject: String?,
        request: String, expires: String = "2026-12-01T00:00:00Z", district: String = "north",
        consents: [String] = ["consent-1"]
    ) -> ReceivedRecord {
        ReceivedRecord(
            provider: provider, resource: resource, key: key, subject: subject,
            fields: ["householdId": .string(key), "district": .string(district)], requestHash: request,
            purpose: "social-assistance.eligibility", expiresAt: F.t(expires), consentIDs: consents)
    }

    static func requestHash(_ digit: Character) -> String { "sha256:" + String(repeating: digit, count: 64) }

    /// Appends one audit entry recording `changes` at the end of the log.
    static func log(_ store: any Store, _ changes: [StoreChange]) async throws {
        let size = try await store.auditSize()
        try await store.appendAuditEntries(
            [(entry: Array("change-\(size)".utf8), leafHash: leaf(size))], from: size, applying: changes)
    }

    static func leaf(_ index: Int) -> [UInt8] {
        Digest.sha256(Array("leaf-\(index)".utf8))
    }

    static func subscription(
        _ agreementID: String, cursor: Int, every: Subscription.Every = .daily
    )
        -> SubscriptionState
    {
        SubscriptionState(
            agreementID: agreementID, provider: F.security, resource: household, fields: ["householdId", "district"],
            purpose: "marriage-registration", legalBasis: .statutoryDuty, every: every, cursor: cursor)
    }
}

// MARK: - Catalog, lists, consents, agreements

extension StoreCheck {
    static func catalogRevisions(_ store: any Store, _ database: FreshDatabase) async throws {
        #expect(try await store.currentCatalog().entries.isEmpty)
        #expect(try await store.catalogRevisions().isEmpty)
        let first = try await store.importCatalogEntries([F.household, F.secrets], at: F.t("2026-11-01T00:00:00Z"))
        #expect(first == Catalog(entries: [F.household, F.secrets]))
        let again = try await store.importCatalogEntries([F.household], at: F.t("2026-11-02T00:00:00Z"))
        #expect(again.revision == first.revision, "an import that changes nothing makes no revision")
        var renamed = F.household
        renamed.title = "Household registers"
        let second = try await store.importCatalogEntries([renamed], at: F.t("2026-11-03T00:00:00Z"))
        #expect(second.revision != first.revision)
        #expect(second.entries.count == 2)

        // Another process (or replica) sees the same catalog, and restores the first state.
        try await database.withStore { other in
            #expect(try await other.currentCatalog() == second)
            #expect(try await other.catalog(revision: first.revision) == first)
            let restored = try await other.importCatalogEntries([F.household], at: F.t("2026-11-04T00:00:00Z"))
            #expect(restored == first)
        }
        let revisions = try await store.catalogRevisions()
        #expect(revisions.map(\.revision) == [first.revision, second.revision, first.revision])
        #expect(
            revisions.map(\.recordedAt) == ["2026-11-01", "2026-11-03", "2026-11-04"].map { F.t("\($0)T00:00:00Z") })
        #expect(revisions.map(\.entryCount) == [2, 2, 2])
        #expect(try await store.currentCatalog() == first)
        #expect(try await store.catalog(revision: second.revision) == second)
        #expect(try await store.catalog(revision: "sha256:nope") == nil)
    }

    static func listsCalendarPurposes(_ store: any Store) async throws {
        #expect(try await store.responsibilityLists().isEmpty)
        #expect(try await store.calendar() == nil)
        #expect(try await store.purposes() == PurposeRegistry(purposes: []))

        let security = list(F.security, name: "Public Security Bureau")
        let civil = list(F.civil, name: "Civil Affairs Bureau")
        try await store.saveResponsibilityList(security)
        try await store.saveResponsibilityList(civil)
        #expect(try await store.responsibilityLists() == [civil, security], "lists come by department")
        var renamed = security
        renamed.name = "Municipal Public Security Bureau"
        try await store.saveResponsibilityList(renamed)
        #expect(try await store.responsibilityLists() == [civil, renamed])

        let calendar = WorkingCalendar(
            name: "2026", from: CivilDate(iso: "2026-01-01")!, to: CivilDate(iso: "2026-12-31")!,
            holidays: [CalendarDay(date: CivilDate(iso: "2026-10-01")!, name: "National Day")],
            workingDays: [CalendarDay(date: CivilDate(iso: "2026-10-10")!, name: "Adjusted")])
        try await store.saveCalendar(calendar)
        #expect(try await store.calendar() == calendar)
        let next = WorkingCalendar(name: "2027", from: CivilDate(iso: "2027-01-01")!, to: CivilDate(iso: "2027-12-31")!)
        try await store.saveCalendar(next)
        #expect(try await store.calendar() == next)

        try await store.savePurposes(F.purposes)
        #expect(try await store.purposes() == F.purposes)
        let fewer = PurposeRegistry(purposes: Array(F.purposes.purposes.prefix(1)))
        try await store.savePurposes(fewer)
        #expect(try await store.purposes() == fewer)
    }

    static func consents(_ store: any Store, _ database: FreshDatabase) async throws {
        let recorded = F.t("2026-10-28T09:41:00Z")
        let status = try await store.recordConsent(F.consent, at: recorded, by: F.civil)
        #expect(
            status.history == [ConsentStatusChange(consent: F.consent.id, state: .active, at: recorded, by: F.civil)])
        var changedRecord = F.consent
        changedRecord.purpose = "social-assistance"
        let duplicate = await #expect(throws: StoreError.self) {
            _ = try await store.recordConsent(changedRecord, at: recorded, by: F.civil)
        }
        #expect(duplicate?.code == .alreadyExists)
        #expect(try await store.consent(id: F.consent.id)?.record == F.consent, "a consent never changes")

        var other = F.consent
        other.id = "consent-2026-000099"
        other.subject = "subj-00000001"
        _ = try await store.recordConsent(other, at: recorded, by: F.civil)

        let paused = try await store.changeConsent(
            id: F.consent.id, to: .paused, at: F.t("2026-11-10T00:00:00Z"), by: "subject", reason: nil)
        #expect(paused.state(at: F.t("2026-11-11T00:00:00Z")) == .paused)
        let early = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(
                id: F.consent.id, to: .withdrawn, at: F.t("2026-11-05T00:00:00Z"), by: "subject", reason: nil)
        }
        #expect(early?.code == .refused)
        #expect(early?.reason.contains("retroactively") == true)
        let derived = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(
                id: F.consent.id, to: .expired, at: F.t("2026-11-12T00:00:00Z"), by: "subject", reason: nil)
        }
        #expect(derived?.code == .refused)
        let withdrawn = try await store.changeConsent(
            id: F.consent.id, to: .withdrawn, at: F.t("2026-11-20T00:00:00Z"), by: "subject", reason: "moved away")
        #expect(withdrawn.history.map(\.state) == [.active, .paused, .withdrawn])
        let again = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(
                id: F.consent.id, to: .active, at: F.t("2026-11-21T00:00:00Z"), by: "subject", reason: nil)
        }
        #expect(again?.code == .refused)
        let missing = await #expect(throws: StoreError.self) {
            _ = try await store.changeConsent(id: "consent-nope", to: .withdrawn, at: recorded, by: "x", reason: nil)
        }
        #expect(missing?.code == .notFound)

        // What a serving replica reads: the whole history, in order, refused changes absent.
        try await database.withStore { reader async throws in
            let read = try #require(try await reader.consent(id: F.consent.id))
            #expect(read == withdrawn)
            #expect(
                read.history.map(\.at)
                    == ["2026-10-28T09:41:00Z", "2026-11-10T00:00:00Z", "2026-11-20T00:00:00Z"].map(F.t))
            #expect(read.history.map(\.reason) == [nil, nil, "moved away"])
            #expect(read.history.map(\.by) == [F.civil, "subject", "subject"])
            #expect(read.state(at: F.t("2026-11-09T00:00:00Z")) == .active)
            #expect(read.state(at: F.t("2026-11-20T00:00:00Z")) == .withdrawn)
        }
        #expect(try await store.consents(subject: nil).map(\.record.id) == [other.id, F.consent.id], "by id")
        #expect(try await store.consents(subject: F.consent.subject) == [withdrawn])
        #expect(try await store.consents(subject: "subj-nobody").isEmpty)
        #expect(try await store.consent(id: "consent-nope") == nil)
    }

    static func agreements(_ store: any Store) async throws {
        #expect(try await store.agreements().isEmpty)
        var application = F.agreement
        application.state = .applied
        application.history = [application.history[0]]
        try await store.recordAgreement(application)
        let duplicate = await #expect(throws: StoreError.self) { try await store.recordAgreement(application) }
        #expect(duplicate?.code == .alreadyExists)

        let skipping = await #expect(throws: StoreError.self) {
            _ = try await store.transitionAgreement(
                id: application.id,
                AgreementEvent(state: .revoked, at: F.t("2026-10-21T00:00:00Z"), by: "Director", reason: "x"))
        }
        #expect(skipping?.code == .refused)
        let backdated = await #expect(throws: StoreError.self) {
            _ = try await store.transitionAgreement(
                id: application.id, AgreementEvent(state: .approved, at: F.t("2026-10-01T00:00:00Z"), by: "Director"))
        }
        #expect(backdated?.code == .refused)
        #expect(try await store.agreement(id: application.id) == application, "a refused transition changes nothing")

        let approved = try await store.transitionAgreement(
            id: application.id, AgreementEvent(state: .approved, at: F.t("2026-10-27T07:30:00Z"), by: "Director"))
        #expect(approved.state == .approved)
        #expect(approved.history.map(\.state) == [.applied, .approved])
        #expect(try await store.agreement(id: application.id) == approved)

        var earlier = application
        earlier.id = "agr-2026-0007"
        try await store.recordAgreement(earlier)
        #expect(try await store.agreements() == [earlier, approved], "agreements come by id")

        let missing = await #expect(throws: StoreError.self) {
            _ = try await store.transitionAgreement(
                id: "agr-2026-9999", AgreementEvent(state: .approved, at: F.t("2026-10-27T07:30:00Z"), by: "Director"))
        }
        #expect(missing?.code == .notFound)
        #expect(try await store.agreement(id: "agr-2026-9999") == nil)
    }
}

// MARK: - Audit log

extension StoreCheck {
    static func auditAppend(_ store: any Store, _ database: FreshDatabase) async throws {
        #expect(try await store.auditLeafHashes().isEmpty)
        #expect(try await store.auditSize() == 0)
        #expect(try await store.auditEntries(0..<10).isEmpty)
        // Entries are bytes, not text: every byte value must come back as it went in.
        let entries: [(entry: [UInt8], leafHash: [UInt8])] =
            [(Array(0...255), leaf(0))] + (1..<5).map { (Array("entry-\($0)".utf8), leaf($0)) }
        try await store.appendAuditEntries(Array(entries[0..<3]), from: 0)
        try await store.appendAuditEntries([], from: 3)
        try await store.appendAuditEntries(Array(entries[3...]), from: 3)

        try await database.withStore { reader async throws in
            #expect(try await reader.auditLeafHashes() == entries.map(\.leafHash))
            #expect(try await reader.auditLeafHashes(from: 3) == entries[3...].map(\.leafHash))
            #expect(try await reader.auditLeafHashes(from: 5).isEmpty)
            #expect(try await reader.auditSize() == 5)
            #expect(try await reader.auditEntries(0..<5) == entries.map(\.entry))
            #expect(try await reader.auditEntries(1..<3) == entries[1..<3].map(\.entry))
            #expect(try await reader.auditEntries(4..<9) == [entries[4].entry])
            #expect(try await reader.auditEntries(7..<9).isEmpty)
        }
    }

    static func auditConflict(_ store: any Store) async throws {
        try await store.saveSubscription(subscription("agr-2026-0042", cursor: 0))
        try await log(store, [])
        try await log(store, [])
        let changes: [StoreChange] = [
            .keepReceived([received("H-1", subject: "subj-a", request: requestHash("1"))]),
            .disclosedUnderConsent(peer: F.civil, consentIDs: [F.consent.id], subjects: ["subj-a"]),
            .advanceCursor(agreementID: "agr-2026-0042", version: 9, at: F.t("2026-11-02T00:00:00Z")),
        ]
        for stale in [0, 1, 3, 10] {
            let conflict = await #expect(throws: StoreError.self) {
                try await store.appendAuditEntries(
                    [(Array("late".utf8), leaf(99))], from: stale, applying: changes)
            }
            #expect(conflict?.code == .conflict, "appending at \(stale) to a log of 2")
        }
        #expect(try await store.auditLeafHashes() == [leaf(0), leaf(1)])
        #expect(try await store.receivedRecords(requestHash: requestHash("1")).isEmpty)
        #expect(try await store.peersHolding(subject: "subj-a", consentID: F.consent.id).isEmpty)
        #expect(try await store.subscriptions().first?.cursor == 0)
        // At the right length the same append goes through, changes and all.
        try await store.appendAuditEntries([(Array("late".utf8), leaf(2))], from: 2, applying: changes)
        #expect(try await store.auditSize() == 3)
        #expect(try await store.receivedRecords(requestHash: requestHash("1")).count == 1)
        #expect(try await store.peersHolding(subject: "subj-a", consentID: F.consent.id) == [F.civil])
        #expect(try await store.subscriptions().first?.cursor == 9)
    }

    static func auditCheckpoints(_ store: any Store) async throws {
        #expect(try await store.auditCheckpoints().isEmpty)
        #expect(try await store.auditCheckpoint(size: nil) == nil)
        let first = "gov.x/audit\n10\nroot\n\n— gov.x sig1\n"
        try await store.saveAuditCheckpoint(size: 20, note: "gov.x/audit\n20\nroot\n\n— gov.x sig\n")
        try await store.saveAuditCheckpoint(size: 10, note: first)
        try await store.saveAuditCheckpoint(size: 10, note: "a later note for the same size\n")
        #expect(try await store.auditCheckpoints().map(\.size) == [10, 20])
        #expect(try await store.auditCheckpoints().first?.note == first, "the first note for a size is kept")

        let cosigned = first + "— witness.y sig2\n"
        try await store.updateAuditCheckpoint(size: 10, note: cosigned)
        #expect(try await store.auditCheckpoints().map(\.note) == [cosigned, "gov.x/audit\n20\nroot\n\n— gov.x sig\n"])
        let missing = await #expect(throws: StoreError.self) {
            try await store.updateAuditCheckpoint(size: 30, note: "x")
        }
        #expect(missing?.code == .notFound)
        #expect(try await store.auditCheckpoints().count == 2)
        // One row at a time: by size, or the latest.
        #expect(try await store.auditCheckpoint(size: 10)?.note == cosigned)
        #expect(try await store.auditCheckpoint(size: nil)?.size == 20)
        #expect(try await store.auditCheckpoint(size: 15) == nil)
    }
}

// MARK: - Records

extension StoreCheck {
    /// PostgreSQL sends an import in statements of 10,000 rows: 25,000 records (1,000 of them there
    /// already, one key given twice) cross two boundaries.
    static func largeImport(_ store: any Store) async throws {
        let key = { (index: Int) in "L-" + String(index + 100_000) }
        #expect(try await store.upsertRecords((0..<1_000).map { record(key($0)) }) == 1_000)
        var batch = (0..<25_000).map { record(key($0), subject: "subj-\($0 % 97)", district: "south") }
        batch.append(record(key(24_999), district: "west"))
        #expect(try await store.upsertRecords(batch) == 24_000)
        #expect(try await store.recordCount(resource: household) == 25_000)
        let stored = try await store.records(
            matching: RecordQuery(resource: household, selector: .all, limit: 30_000))
        #expect(stored.map(\.key) == (0..<25_000).map(key))
        // The versions go on from the first import's 1,000, one per record given, the repeated key's last.
        #expect(stored.prefix(24_999).map(\.version) == Array(1_001...25_999))
        #expect(stored.last?.version == 26_001)
        #expect(stored.last?.fields["district"] == .string("west"))
        #expect(stored.first?.fields["district"] == .string("south"))
    }

    static func records(_ store: any Store) async throws {
        #expect(try await store.recordCount(resource: household) == 0)
        let added = try await store.upsertRecords([
            record("H-002", subject: "subj-b"), record("H-001", subject: "subj-a"),
            record("I-1", resource: insurance), record("H-003"),
        ])
        #expect(added == 4)
        let all = try await store.records(matching: RecordQuery(resource: household, selector: .all, limit: 100))
        #expect(all.map(\.key) == ["H-001", "H-002", "H-003"])
        #expect(all.map(\.version) == [2, 1, 3], "versions count per resource, in the order given")
        #expect(all.map(\.subject) == ["subj-a", "subj-b", nil])
        #expect(
            all[0]
                == {
                    var r = record("H-001", subject: "subj-a"); r.version = 2; return r
                }())
        #expect(
            try await store.records(matching: RecordQuery(resource: insurance, selector: .all, limit: 9)).map(\.version)
                == [1])

        // Replacing keeps the count, moves the record to the next version and takes its new fields.
        let replaced = try await store.upsertRecords([
            record("H-001", subject: "subj-c", district: "south", at: "2026-11-05T00:00:00Z"), record("H-004"),
        ])
        #expect(replaced == 1)
        let h001 = try #require(
            try await store.records(matching: RecordQuery(resource: household, selector: .keys(["H-001"]), limit: 9))
                .first)
        #expect(h001.version == 4)
        #expect(h001.subject == "subj-c")
        #expect(h001.fields["district"] == .string("south"))
        #expect(h001.updatedAt == F.t("2026-11-05T00:00:00Z"))
        #expect(try await store.recordCount(resource: household) == 4)
        #expect(try await store.recordCount(resource: insurance) == 1)
        #expect(try await store.recordCount(resource: "gov.x/none") == 0)

        // A key given twice in one call: the last copy wins, and each copy took a version.
        let twice = try await store.upsertRecords([
            record("H-009", district: "east"), record("H-009", district: "west"),
        ])
        #expect(twice == 1)
        let h009 = try await store.records(
            matching: RecordQuery(resource: household, selector: .keys(["H-009"]), limit: 9))
        #expect(h009.map(\.version) == [7])
        #expect(h009.first?.fields["district"] == .string("west"))
        #expect(try await store.upsertRecords([]) == 0)

        // Fields of every JSON kind come back as they went in.
        var rich = record("H-100", subject: "subj-z")
        rich.fields = [
            "text": .string("Zhāng Wěi 张伟 \"quoted\" \\ \n"), "number": .number(-12.5), "flag": .bool(true),
            "nothing": .null, "list": .array([.number(1), .string("two")]), "nested": .object(["a": .object([:])]),
        ]
        _ = try await store.upsertRecords([rich])
        let read = try await store.records(
            matching: RecordQuery(resource: household, selector: .keys(["H-100"]), limit: 1))
        #expect(read.first?.fields == rich.fields)
    }

    static func recordSelectors(_ store: any Store) async throws {
        // Byte order: upper case before lower case, "-" before digits.
        let given = ["b", "A-2", "a", "A-10", "B", "A-1"]
        _ = try await store.upsertRecords(
            given.enumerated().map { index, key in
                record(key, subject: "subj-\(index % 2)", district: index < 3 ? "east" : "west")
            } + [record("other", district: "east", resource: insurance)])
        var rich = record("Z", district: "east")
        rich.fields["members"] = .string("3")
        rich.fields["rooms"] = .number(3)
        _ = try await store.upsertRecords([rich])
        let ordered = ["A-1", "A-10", "A-2", "B", "Z", "a", "b"]

        func keys(_ selector: RecordSelector, after: String? = nil, limit: Int = 100) async throws -> [String] {
            try await store.records(
                matching: RecordQuery(resource: household, selector: selector, after: after, limit: limit)
            ).map(\.key)
        }
        #expect(try await keys(.all) == ordered)
        var paged: [String] = []
        var after: String?
        while true {
            let page = try await keys(.all, after: after, limit: 3)
            paged += page
            guard page.count == 3 else { break }
            after = page.last
        }
        #expect(paged == ordered, "pages follow one another without gaps or repeats")
        #expect(try await keys(.all, limit: 0).isEmpty)
        #expect(try await keys(.all, limit: -1).isEmpty)

        #expect(try await keys(.keys(["b", "missing", "A-1"])) == ["A-1", "b"])
        #expect(try await keys(.keys(["other"])).isEmpty, "keys are per resource")
        #expect(try await keys(.keys([])).isEmpty)
        #expect(try await keys(.subjects(["subj-1"])) == ["A-1", "A-10", "A-2"])
        #expect(try await keys(.subjects(["subj-0", "subj-nobody"]), after: "A-2") == ["B", "a", "b"])
        #expect(try await keys(.fieldEquals(field: "district", value: "east")) == ["A-2", "Z", "a", "b"])
        #expect(try await keys(.fieldEquals(field: "district", value: "east"), after: "Z", limit: 1) == ["a"])
        #expect(try await keys(.fieldEquals(field: "district", value: "nowhere")).isEmpty)
        #expect(try await keys(.fieldEquals(field: "missing", value: "east")).isEmpty)
        // Only a string equals the value: the number 3 does not, the string "3" does.
        #expect(try await keys(.fieldEquals(field: "members", value: "3")) == ["Z"])
        #expect(try await keys(.fieldEquals(field: "rooms", value: "3")).isEmpty)

        // The changes feed: by version, oldest change first, whatever `after` says.
        _ = try await store.upsertRecords([record("A-1", district: "north"), record("a", district: "north")])
        let changed = try await store.records(
            matching: RecordQuery(resource: household, selector: .changedSince(6), after: "zzz", limit: 100))
        #expect(changed.map(\.key) == ["Z", "A-1", "a"])
        #expect(changed.map(\.version) == [7, 8, 9])
        #expect(
            try await store.records(matching: RecordQuery(resource: household, selector: .changedSince(7), limit: 1))
                .map(\.key) == ["A-1"])
        #expect(try await keys(.changedSince(9)).isEmpty)
    }

    static func nonces(_ store: any Store) async throws {
        let start = F.t("2026-11-01T00:00:00Z")
        let issuer = F.civil
        #expect(try await store.rememberNonce("n-1", issuer: issuer, at: start, until: start.adding(seconds: 300)))
        #expect(
            try await !store.rememberNonce(
                "n-1", issuer: issuer, at: start.adding(seconds: 1), until: start.adding(seconds: 301)),
            "a replay")
        #expect(
            try await store.rememberNonce("n-1", issuer: F.resources, at: start, until: start.adding(seconds: 300)),
            "nonces are per issuer")
        #expect(try await store.rememberNonce("n-2", issuer: issuer, at: start, until: start.adding(seconds: 300)))
        #expect(
            try await !store.rememberNonce(
                "n-1", issuer: issuer, at: start.adding(seconds: 300), until: start.adding(seconds: 600)),
            "remembered up to and including its last moment")
        #expect(
            try await store.rememberNonce(
                "n-1", issuer: issuer, at: start.adding(seconds: 301), until: start.adding(seconds: 600)),
            "forgotten once it expired")
        #expect(
            try await !store.rememberNonce(
                "n-1", issuer: issuer, at: start.adding(seconds: 302), until: start.adding(seconds: 600)))
    }
}

// MARK: - Received records, subscriptions, disclosures, peers

extension StoreCheck {
    static func receivedRecords(_ store: any Store) async throws {
        let first = requestHash("1")
        let second = requestHash("2")
        let third = requestHash("3")
        let a = received("H-002", subject: "subj-a", request: first)
        let b = received("H-001", subject: "subj-b", request: first)
        let insured = received(
            "I-1", provider: F.resources, resource: insurance, subject: "subj-a", request: third,
            expires: "2027-01-01T00:00:00Z")
        try await log(store, [.keepReceived([a, b]), .keepReceived([insured])])
        #expect(try await store.receivedRecords(requestHash: first) == [b, a], "by provider, resource, key")
        #expect(
            try await store.receivedRequests(provider: F.security, subject: "subj-a", consentID: "consent-1") == [first]
        )
        #expect(
            try await store.receivedRequests(provider: F.security, subject: "subj-a", consentID: "consent-10").isEmpty)

        // A later request's copy of a record is kept beside the earlier one: each receipt keeps its own.
        let newer = received(
            "H-002", subject: "subj-a", request: second, expires: "2026-12-15T00:00:00Z", district: "south")
        try await log(store, [.keepReceived([newer])])
        #expect(try await store.receivedRecords(requestHash: first) == [b, a])
        #expect(try await store.receivedRecords(requestHash: second) == [newer])
        #expect(
            try await store.receivedRequests(provider: F.security, subject: "subj-a", consentID: "consent-1") == [
                first, second,
            ])
        #expect(
            try await store.receivedRequests(provider: F.resources, subject: "subj-a", consentID: "consent-1") == [
                third
            ])

        let expiring = try await store.receivedRequests(expiringBy: F.t("2026-12-01T00:00:00Z"))
        #expect(expiring.map(\.requestHash) == [first])
        #expect(expiring.map(\.provider) == [F.security])
        #expect(expiring.map(\.resource) == [household])
        #expect(try await store.receivedRequests(expiringBy: F.t("2026-11-30T23:59:59Z")).isEmpty)
        #expect(
            try await store.receivedRequests(expiringBy: F.t("2027-01-01T00:00:00Z")).map(\.requestHash) == [
                first, second, third,
            ])

        try await log(store, [.purgeRequest(requestHash: first)])
        #expect(try await store.receivedRecords(requestHash: first).isEmpty)
        #expect(try await store.receivedRecords(requestHash: second) == [newer])
        // Records of the subject received on another legal basis are not the consent's to purge.
        let statutory = received("H-009", subject: "subj-a", request: requestHash("4"), consents: [])
        try await log(store, [.keepReceived([statutory])])
        try await log(store, [.purgeConsent(provider: F.security, subject: "subj-a", consentID: "consent-1")])
        #expect(try await store.receivedRecords(requestHash: second).isEmpty)
        #expect(try await store.receivedRecords(requestHash: third) == [insured], "other providers' records stay")
        #expect(try await store.receivedRecords(requestHash: requestHash("4")) == [statutory], "another basis stays")
        #expect(
            try await store.receivedRequests(provider: F.security, subject: "subj-a", consentID: "consent-1").isEmpty)
    }

    static func subscriptions(_ store: any Store) async throws {
        #expect(try await store.subscriptions().isEmpty)
        try await store.saveSubscription(subscription("agr-2026-0042", cursor: 0))
        try await store.saveSubscription(subscription("agr-2026-0007", cursor: 7))
        var listed = try await store.subscriptions()
        #expect(listed.map(\.agreementID) == ["agr-2026-0007", "agr-2026-0042"])
        #expect(listed.map(\.cursor) == [7, 0])
        #expect(listed.map(\.lastSyncAt) == [nil, nil])
        #expect(listed[1] == subscription("agr-2026-0042", cursor: 0))

        let synced = F.t("2026-11-02T08:00:00Z")
        try await log(store, [.advanceCursor(agreementID: "agr-2026-0042", version: 12, at: synced)])
        listed = try await store.subscriptions()
        #expect(listed[1].cursor == 12)
        #expect(listed[1].lastSyncAt == synced)

        let later = F.t("2026-11-03T08:00:00Z")
        try await log(store, [.advanceCursor(agreementID: "agr-2026-0042", version: 5, at: later)])
        listed = try await store.subscriptions()
        #expect(listed[1].cursor == 12, "a cursor never moves back")
        #expect(listed[1].lastSyncAt == later)

        // Following it again updates the terms but keeps how far it was read.
        try await store.saveSubscription(subscription("agr-2026-0042", cursor: 0, every: .weekly))
        listed = try await store.subscriptions()
        #expect(listed[1].every == .weekly)
        #expect(listed[1].cursor == 12)
        #expect(listed[1].lastSyncAt == later)

        try await log(store, [.advanceCursor(agreementID: "agr-2026-9999", version: 3, at: later)])
        #expect(try await store.subscriptions().count == 2, "advancing an unknown subscription follows nothing")

        // A page kept after another moves the cursor only from where that one left it; from elsewhere the
        // whole transaction is refused (its records are not kept either), so a failed page leaves no gap.
        let page = requestHash("p")
        await #expect(throws: StoreError.self) {
            try await log(
                store,
                [
                    .keepReceived([received("H-9", subject: nil, request: page)]),
                    .advanceCursor(agreementID: "agr-2026-0042", version: 20, at: later, from: 11),
                ])
        }
        #expect(try await store.subscriptions()[1].cursor == 12)
        #expect(try await store.receivedRecords(requestHash: page).isEmpty)
        try await log(
            store,
            [
                .keepReceived([received("H-9", subject: nil, request: page)]),
                .advanceCursor(agreementID: "agr-2026-0042", version: 20, at: later, from: 12),
            ])
        #expect(try await store.subscriptions()[1].cursor == 20)
        #expect(try await store.receivedRecords(requestHash: page).map(\.key) == ["H-9"])
        await #expect(throws: StoreError.self) {
            try await log(store, [.advanceCursor(agreementID: "agr-2026-9999", version: 5, at: later, from: 0)])
        }
    }

    static func disclosures(_ store: any Store) async throws {
        let other = "consent-2026-000200"
        #expect(try await store.peersHolding(subject: "subj-a", consentID: F.consent.id).isEmpty)
        try await log(
            store,
            [
                .disclosedUnderConsent(
                    peer: F.resources, consentIDs: [F.consent.id, other], subjects: ["subj-a", "subj-b"])
            ])
        try await log(store, [.disclosedUnderConsent(peer: F.civil, consentIDs: [F.consent.id], subjects: ["subj-a"])])
        try await log(
            store, [.disclosedUnderConsent(peer: F.civil, consentIDs: [F.consent.id], subjects: ["subj-a", "subj-a"])])
        try await log(store, [.disclosedUnderConsent(peer: F.security, consentIDs: [], subjects: ["subj-a"])])
        #expect(try await store.peersHolding(subject: "subj-a", consentID: F.consent.id) == [F.civil, F.resources])
        #expect(try await store.peersHolding(subject: "subj-b", consentID: other) == [F.resources])
        #expect(try await store.peersHolding(subject: "subj-b", consentID: "consent-none").isEmpty)
    }

    static func peers(_ store: any Store) async throws {
        #expect(try await store.peerCatalog(peer: F.security) == nil)
        #expect(try await store.witnessedCheckpoint(peer: F.security) == nil)
        let first = Catalog(entries: [F.household])
        let second = Catalog(entries: [F.household, F.secrets])
        try await store.savePeerCatalog(peer: F.security, catalog: first, at: F.t("2026-11-01T00:00:00Z"))
        try await store.savePeerCatalog(
            peer: F.resources, catalog: Catalog(entries: [F.insurance]), at: F.t("2026-11-01T00:00:00Z"))
        #expect(try await store.peerCatalog(peer: F.security) == first)
        try await store.savePeerCatalog(peer: F.security, catalog: second, at: F.t("2026-11-02T00:00:00Z"))
        #expect(try await store.peerCatalog(peer: F.security) == second)
        #expect(try await store.peerCatalog(peer: F.resources) == Catalog(entries: [F.insurance]))

        try await store.saveWitnessedCheckpoint(peer: F.security, size: 10, note: "note 10\n")
        try await store.saveWitnessedCheckpoint(peer: F.security, size: 25, note: "note 25\n")
        let witnessed = try #require(try await store.witnessedCheckpoint(peer: F.security))
        #expect(witnessed.size == 25)
        #expect(witnessed.note == "note 25\n")
        #expect(try await store.witnessedCheckpoint(peer: F.resources) == nil)
    }

    static func stateVersion(_ store: any Store) async throws {
        var last = try await store.stateVersion()
        func changed() async throws -> Bool {
            let now = try await store.stateVersion()
            defer { last = now }
            return now != last
        }
        _ = try await store.importCatalogEntries([F.household], at: F.t("2026-11-01T00:00:00Z"))
        #expect(try await changed(), "importing the catalog")
        try await store.savePurposes(F.purposes)
        #expect(try await changed(), "saving the purposes")
        _ = try await store.recordConsent(F.consent, at: F.t("2026-10-28T09:41:00Z"), by: F.civil)
        #expect(try await changed(), "recording a consent")
        _ = try await store.changeConsent(
            id: F.consent.id, to: .withdrawn, at: F.t("2026-11-20T00:00:00Z"), by: "subject", reason: nil)
        #expect(try await changed(), "withdrawing a consent")
        _ = try? await store.changeConsent(
            id: F.consent.id, to: .active, at: F.t("2026-11-21T00:00:00Z"), by: "subject", reason: nil)
        #expect(try await !changed(), "a refused consent change changes nothing")
        var application = F.agreement
        application.state = .applied
        application.history = [application.history[0]]
        try await store.recordAgreement(application)
        #expect(try await changed(), "recording an agreement")
        _ = try await store.transitionAgreement(
            id: application.id, AgreementEvent(state: .approved, at: F.t("2026-10-27T07:30:00Z"), by: "Director"))
        #expect(try await changed(), "approving an agreement")
        _ = try? await store.transitionAgreement(
            id: application.id, AgreementEvent(state: .applied, at: F.t("2026-10-28T07:30:00Z"), by: "Director"))
        #expect(try await !changed(), "a refused transition changes nothing")

        // The per-request writes must not make every replica rebuild its policy snapshot.
        _ = try await store.upsertRecords([record("H-1")])
        _ = try await store.rememberNonce("n", issuer: F.civil, at: .now, until: .now.adding(seconds: 60))
        try await log(store, [.keepReceived([received("H-1", subject: "s", request: requestHash("1"))])])
        #expect(try await !changed(), "records, nonces and audit entries are not policy")
    }
}

// MARK: - Replicas

extension StoreCheck {
    /// Two handles on one database — two processes on a SQLite file, two replicas with their own pools on
    /// PostgreSQL — writing at once.
    static func replicas(_ database: FreshDatabase) async throws {
        let key = try PrivateKey.generate(.ed25519)
        try await database.withStore { first in
            try await database.withStore { second in
                let a = try await AuditLog(store: first, node: "gov.x", signer: key)
                let b = try await AuditLog(store: second, node: "gov.x", signer: key)
                let sequences = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<200 {
                        let log = index % 2 == 0 ? a : b
                        group.addTask {
                            var event = AuditEvent(kind: .use, at: .now, node: "gov.x")
                            event.requestHash = AuditEvent.hash(Array("r\(index)".utf8))
                            event.purpose = "social-assistance"
                            return try await log.append(event)
                        }
                    }
                    var all: [Int] = []
                    for try await sequence in group { all.append(sequence) }
                    return all
                }
                #expect(sequences.sorted() == Array(0..<200), "no gap, no sequence number twice")
                _ = try await b.checkpoint()
                let directory = try TemporaryDirectory()
                try await AuditBundle.export(
                    store: first, node: "gov.x", publicKey: key.publicKey, to: directory.path("bundle"))
                let verification = try BundleVerifier.verify(directory.path("bundle"))
                #expect(verification.findings.isEmpty, "every entry chained to the one before: no fork")

                // The same nonce offered to both at once is accepted exactly once.
                let moment = F.t("2026-11-01T00:00:00Z")
                let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<40 {
                        let store = index % 2 == 0 ? first : second
                        group.addTask {
                            try await store.rememberNonce(
                                "n-\(index / 2)", issuer: F.civil, at: moment, until: moment.adding(seconds: 60))
                        }
                    }
                    var count = 0
                    for try await ok in group where ok { count += 1 }
                    return count
                }
                #expect(accepted == 20)

                // Records stored through both at once still get one version each.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<20 {
                        let store = index % 2 == 0 ? first : second
                        group.addTask { try await store.upsertRecords([record("K-\(index)"), record("L-\(index)")]) }
                    }
                    for try await added in group { #expect(added == 2) }
                }
                let versions = try await second.records(
                    matching: RecordQuery(resource: household, selector: .changedSince(0), limit: 100)
                ).map(\.version)
                #expect(versions == Array(1...40))
            }
        }
    }
}
