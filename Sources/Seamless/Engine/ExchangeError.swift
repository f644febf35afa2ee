/// Why a consumer's request did not bring records: the provider's policy denial, its refusal, the network,
/// or an answer that does not verify. The code is stable; the reason names what to do.
public struct ExchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code: a policy denial code (`purpose-not-allowed`, …), a provider refusal code
    /// (`replayed-nonce`, `unknown-key-id`, …), a transport code (`unreachable`, `timeout`), or one of the
    /// consumer's own: `unknown-peer`, `bad-response`, `request-hash-mismatch`, `purpose-mismatch`,
    /// `not-received`, `not-subscribable`, `checkpoint-inconsistent`, `unavailable`.
    public var code: String
    /// What happened.
    public var reason: String
    /// The provider's decision, when it decided (a denial).
    public var decision: PolicyDecision?

    /// Creates an error.
    public init(code: String, reason: String, decision: PolicyDecision? = nil) {
        self.code = code
        self.reason = reason
        self.decision = decision
    }

    public var description: String { "\(code): \(reason)" }
}

/// Records received for one request, bound to the purpose they were asked for.
public struct ExchangeResult: Sendable, Hashable {
    /// The provider.
    public var provider: String
    /// `sha256:<hex>` of the request envelope: the id of this exchange in both nodes' logs.
    public var requestHash: String
    /// The provider's decision (granted).
    public var decision: PolicyDecision
    /// The records, granted fields only.
    public var records: [ReceivedRecord]
    /// The key to continue after, when there are more pages.
    public var next: String?
    /// The provider's audit entry for its decision.
    public var providerAuditSequence: Int?
    /// This node's audit entry for the receipt.
    public var receiptSequence: Int
}
