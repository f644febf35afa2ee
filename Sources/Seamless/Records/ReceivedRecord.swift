/// A record a consumer received from a provider and keeps for the purpose it asked for, until its data life
/// ends (the consumer's replica). Kept and purged only together with the audit entry that says so.
public struct ReceivedRecord: Sendable, Hashable {
    /// The node that provided it.
    public var provider: String
    /// The resource.
    public var resource: String
    /// The record's key.
    public var key: String
    /// The data subject's pseudonym, if any.
    public var subject: String?
    /// The granted fields only.
    public var fields: [String: JSONValue]
    /// The request it answered (`sha256:<hex>` of the request envelope).
    public var requestHash: String
    /// The purpose it was received for; any use must be within it.
    public var purpose: String
    /// When it must be gone.
    public var expiresAt: Timestamp

    /// Creates a received record.
    public init(
        provider: String, resource: String, key: String, subject: String?, fields: [String: JSONValue],
        requestHash: String, purpose: String, expiresAt: Timestamp
    ) {
        self.provider = provider
        self.resource = resource
        self.key = key
        self.subject = subject
        self.fields = fields
        self.requestHash = requestHash
        self.purpose = purpose
        self.expiresAt = expiresAt
    }
}

/// A change of the node's state that must commit in the same transaction as the audit entries that
/// record it: data received is kept only if its receipt is logged, and purged only with its purge entry.
public enum StoreChange: Sendable, Hashable {
    /// Keep received records (replace any with the same provider, resource, key and request).
    case keepReceived([ReceivedRecord])
    /// Delete the records received for a request.
    case purgeRequest(requestHash: String)
    /// Delete every record received from `provider` about `subject`.
    case purgeSubject(provider: String, subject: String)
}
