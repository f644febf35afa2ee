/// Everything a provider decides requests against, frozen at one moment: its catalog revision, the
/// federation's members, the purpose registry, the consents with their status histories and the
/// agreements. Deciding is a pure function of a snapshot and a request, so an auditor holding the same
/// inputs makes the same decision.
public struct PolicySnapshot: Sendable {
    /// The deciding (providing) node.
    public let node: String
    /// The provider's catalog.
    public let catalog: Catalog
    /// The federation's member nodes.
    public let members: Set<String>
    /// The purpose registry.
    public let purposes: PurposeRegistry
    /// Consents by id.
    public let consents: [String: ConsentStatus]
    /// Agreements by requester, then resource.
    let agreements: [String: [String: [Agreement]]]

    /// Creates a snapshot.
    public init(
        node: String, catalog: Catalog, members: Set<String>, purposes: PurposeRegistry,
        consents: [ConsentStatus] = [], agreements: [Agreement] = []
    ) {
        self.node = node
        self.catalog = catalog
        self.members = members
        self.purposes = purposes
        self.consents = Dictionary(consents.map { ($0.record.id, $0) }, uniquingKeysWith: { _, last in last })
        var index: [String: [String: [Agreement]]] = [:]
        for agreement in agreements.sorted(by: { $0.id < $1.id }) {
            index[agreement.requester, default: [:]][agreement.resource, default: []].append(agreement)
        }
        self.agreements = index
    }

    /// All agreements in the snapshot.
    public var allAgreements: [Agreement] {
        agreements.values.flatMap { $0.values.flatMap { $0 } }.sorted { $0.id < $1.id }
    }
}
