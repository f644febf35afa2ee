/// Summary of one catalog revision.
public struct CatalogRevisionInfo: Sendable, Hashable, Codable {
    /// The content hash.
    public var revision: String
    /// When it was recorded.
    public var recordedAt: Timestamp
    /// How many entries it has.
    public var entryCount: Int

    /// Creates a summary.
    public init(revision: String, recordedAt: Timestamp, entryCount: Int) {
        self.revision = revision
        self.recordedAt = recordedAt
        self.entryCount = entryCount
    }
}

/// Why the store refused or failed: a stable code and a sentence.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    public enum Code: String, Sendable, Hashable {
        /// No such record.
        case notFound = "not-found"
        /// A record with that id exists already; records are immutable.
        case alreadyExists = "already-exists"
        /// The change breaks a rule (an agreement transition, a consent withdrawn twice…).
        case refused
        /// The database failed or holds something unreadable.
        case database
        /// Another writer changed it first (another process appended to the audit log); try again.
        case conflict
        /// A request nonce is remembered already: the request is a replay.
        case replayed
    }

    /// The code.
    public let code: Code
    /// The sentence.
    public let reason: String
    /// The change that was refused, when one change of a transaction was (a replayed nonce).
    public let change: StoreChange?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, change: StoreChange? = nil) {
        self.code = code
        self.reason = reason
        self.change = change
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}

/// Where a node keeps its catalog, lists, consents and agreements. Every method is atomic: it changes all
/// it says or nothing. `SQLiteStore` is the embedded implementation.
public protocol Store: Sendable {
    /// The current catalog (empty before the first import).
    func currentCatalog() async throws -> Catalog
    /// A past or current catalog revision, or `nil` if the store never had it.
    func catalog(revision: String) async throws -> Catalog?
    /// Every revision, oldest first.
    func catalogRevisions() async throws -> [CatalogRevisionInfo]
    /// Adds or replaces entries in one new revision; returns the resulting catalog (the current one,
    /// unchanged, if the entries change nothing).
    func importCatalogEntries(_ entries: [CatalogEntry], at: Timestamp) async throws -> Catalog

    /// Adds or replaces a department's responsibility list.
    func saveResponsibilityList(_ list: ResponsibilityList) async throws
    /// Every responsibility list, by department.
    func responsibilityLists() async throws -> [ResponsibilityList]

    /// Sets the working-day calendar.
    func saveCalendar(_ calendar: WorkingCalendar) async throws
    /// The working-day calendar, if set.
    func calendar() async throws -> WorkingCalendar?

    /// Sets the purpose registry.
    func savePurposes(_ registry: PurposeRegistry) async throws
    /// The purpose registry (empty if never set).
    func purposes() async throws -> PurposeRegistry

    /// Records a new consent as active from `at`.
    func recordConsent(_ record: ConsentRecord, at: Timestamp, by: String) async throws -> ConsentStatus
    /// Changes a consent's state (pause, resume, withdraw) from `at` on.
    func changeConsent(
        id: String, to state: ConsentState, at: Timestamp, by: String, reason: String?
    ) async throws -> ConsentStatus
    /// One consent with its history.
    func consent(id: String) async throws -> ConsentStatus?
    /// All consents, or those of one subject.
    func consents(subject: String?) async throws -> [ConsentStatus]

    /// Records a new agreement (an application, or an imported agreement with its history).
    func recordAgreement(_ agreement: Agreement) async throws
    /// Applies a transition under the agreement state machine.
    func transitionAgreement(id: String, _ event: AgreementEvent) async throws -> Agreement
    /// One agreement.
    func agreement(id: String) async throws -> Agreement?
    /// All agreements, by id.
    func agreements() async throws -> [Agreement]

    /// Appends audit entries as sequence numbers `sequence…` in one durable transaction, together with the
    /// state `changes` they record. Throws ``StoreError/Code/conflict`` (changing nothing) if the log does not
    /// have exactly `sequence` entries: another writer appended first.
    func appendAuditEntries(
        _ entries: [(entry: [UInt8], leafHash: [UInt8])], from sequence: Int, applying changes: [StoreChange]
    ) async throws
    /// The audit leaf hashes from sequence `start` on, in order (32 bytes per entry; the entries themselves
    /// are not read).
    func auditLeafHashes(from start: Int) async throws -> [[UInt8]]
    /// How many entries the audit log holds, without reading them.
    func auditSize() async throws -> Int
    /// The audit entries with sequence numbers in `range`.
    func auditEntries(_ range: Range<Int>) async throws -> [[UInt8]]
    /// Stores a signed checkpoint note for `size`.
    func saveAuditCheckpoint(size: Int, note: String) async throws
    /// Every stored checkpoint note, by size.
    func auditCheckpoints() async throws -> [(size: Int, note: String)]
    /// The stored checkpoint note of `size`, or the latest one when `size` is nil (one row, not the table).
    func auditCheckpoint(size: Int?) async throws -> (size: Int, note: String)?

    /// Replaces the note stored for `size` with one carrying more cosignatures (the caller checks that the
    /// body is the same).
    func updateAuditCheckpoint(size: Int, note: String) async throws

    /// Keeps the latest catalog of a peer, as its signed catalog said at `at`.
    func savePeerCatalog(peer: String, catalog: Catalog, at: Timestamp) async throws
    /// The latest catalog of `peer` this node has, if any.
    func peerCatalog(peer: String) async throws -> Catalog?
    /// Keeps the latest checkpoint of a peer's log that this node verified and cosigned.
    func saveWitnessedCheckpoint(peer: String, size: Int, note: String) async throws
    /// The latest checkpoint of `peer`'s log this node witnessed.
    func witnessedCheckpoint(peer: String) async throws -> (size: Int, note: String)?

    /// A number that changes whenever the catalog, the purposes, a consent or an agreement changes.
    func stateVersion() async throws -> Int

    /// Inserts or replaces records of the resources this node provides, all or nothing; each gets the next
    /// version of its resource. Returns how many were new (the rest replaced records with the same key).
    func upsertRecords(_ records: [ProviderRecord]) async throws -> Int
    /// A page of records as stored (fields not parsed), in key order (version order for the changes feed).
    func storedRecords(matching query: RecordQuery) async throws -> [StoredRecord]
    /// How many records of `resource` the node holds.
    func recordCount(resource: String) async throws -> Int

    /// Remembers request nonce `nonce` of `issuer` until `until`; false if it is remembered already (a
    /// replay). Nonces remembered until before `moment` are forgotten.
    func rememberNonce(_ nonce: String, issuer: String, at moment: Timestamp, until: Timestamp) async throws -> Bool
    /// Whether request nonce `nonce` of `issuer` is remembered (without remembering it).
    func isNonceRemembered(_ nonce: String, issuer: String) async throws -> Bool

    /// The received records kept for a request.
    func receivedRecords(requestHash: String) async throws -> [ReceivedRecord]
    /// The requests whose received records must be gone by `moment`, with the provider and resource.
    func receivedRequests(
        expiringBy moment: Timestamp
    ) async throws -> [(requestHash: String, provider: String, resource: String)]
    /// The peers that received records of `subject` under consent `consentID`.
    func peersHolding(subject: String, consentID: String) async throws -> [String]

    /// Follows a subscription (a new one starts at its cursor; an existing one keeps its cursor).
    func saveSubscription(_ subscription: SubscriptionState) async throws
    /// The subscriptions this node follows.
    func subscriptions() async throws -> [SubscriptionState]

    /// The requests with records about `subject` received from `provider` under consent `consentID`.
    func receivedRequests(provider: String, subject: String, consentID: String) async throws -> [String]
}

extension Store {
    /// A page of records with their fields parsed, in key order (version order for the changes feed).
    public func records(matching query: RecordQuery) async throws -> [ProviderRecord] {
        try await storedRecords(matching: query).map { record throws(StoreError) in try record.parsed() }
    }

    /// Every audit leaf hash in order.
    public func auditLeafHashes() async throws -> [[UInt8]] {
        try await auditLeafHashes(from: 0)
    }

    /// Appends audit entries that change nothing else.
    public func appendAuditEntries(_ entries: [(entry: [UInt8], leafHash: [UInt8])], from sequence: Int) async throws {
        try await appendAuditEntries(entries, from: sequence, applying: [])
    }

    /// A policy snapshot of everything the store holds, for `node` deciding among `members`.
    public func policySnapshot(node: String, members: Set<String>) async throws -> PolicySnapshot {
        PolicySnapshot(
            node: node,
            catalog: try await currentCatalog(),
            members: members,
            purposes: try await purposes(),
            consents: try await consents(subject: nil),
            agreements: try await agreements()
        )
    }
}
