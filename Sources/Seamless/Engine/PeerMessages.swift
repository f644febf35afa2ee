/// A peer's question for this node's catalog: the payload posted to `/v1/catalog`.
public struct CatalogQuery: Sendable, Hashable, Codable {
    /// The revision the asker has; the answer then holds only what changed since.
    public var since: String?

    /// Creates a query.
    public init(since: String?) { self.since = since }
}

/// A node's signed catalog, whole or as the changes since the asker's revision.
public struct CatalogReply: Sendable, Hashable, Codable, RequestBound {
    /// `sha256:<hex>` of the query envelope.
    public var requestHash: String?
    /// The current revision (the content hash of the whole catalog).
    public var revision: String
    /// Whether `entries` is the whole catalog (else: the entries added or changed since `since`).
    public var full: Bool
    /// Entries.
    public var entries: [CatalogEntry]
    /// Ids of entries removed since `since`.
    public var removed: [String]
}

/// A witness's question for a node's latest checkpoint: the payload posted to `/v1/audit/checkpoint`.
public struct CheckpointQuery: Sendable, Hashable, Codable {
    /// The size of the last checkpoint the witness holds; the answer proves consistency with it.
    public var from: Int?

    /// Creates a query.
    public init(from: Int?) { self.from = from }
}

/// A node's latest signed checkpoint and, when asked, the RFC 9162 consistency proof from an earlier size.
public struct CheckpointReply: Sendable, Hashable, Codable, RequestBound {
    /// `sha256:<hex>` of the query envelope.
    public var requestHash: String?
    /// The signed checkpoint note.
    public var note: String
    /// The consistency proof from the asked size, base64 hashes.
    public var proof: [String]?
}

/// A witness's cosignature: the checkpoint note with the witness's signature line added, posted to
/// `/v1/audit/cosign`.
public struct CosignRequest: Sendable, Hashable, Codable {
    /// The note.
    public var note: String

    /// Creates a request.
    public init(note: String) { self.note = note }
}

/// The node's answer to a cosignature: which checkpoint now carries it.
public struct CosignReceipt: Sendable, Hashable, Codable, RequestBound {
    /// `sha256:<hex>` of the request envelope.
    public var requestHash: String?
    /// The checkpoint's size.
    public var size: Int
}
