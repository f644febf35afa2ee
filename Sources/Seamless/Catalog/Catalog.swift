import SeamlessCrypto

/// A department's catalog at one revision: its entries by id, and the revision id decisions cite.
///
/// The revision is `sha256:` and the hex SHA-256 of the canonical JSON of the entries sorted by id, so
/// the same entries always give the same revision, on any node, and an auditor can recompute it.
public struct Catalog: Sendable, Hashable {
    /// The content hash of the entries.
    public let revision: String
    /// The entries by resource id.
    public let entries: [String: CatalogEntry]

    /// Creates a catalog revision from entries (later duplicates of an id replace earlier ones).
    public init(entries: [CatalogEntry]) {
        let byID = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.entries = byID
        self.revision = Self.revision(of: byID.values.sorted { $0.id < $1.id })
    }

    /// The entries in id order.
    public var sortedEntries: [CatalogEntry] {
        entries.values.sorted { $0.id < $1.id }
    }

    /// The canonical bytes the revision hashes: a JSON array of the entries in id order.
    public var canonicalBytes: [UInt8] {
        Self.canonicalBytes(of: sortedEntries)
    }

    /// A catalog with `changes` added or replacing entries of the same id.
    public func applying(_ changes: [CatalogEntry]) -> Catalog {
        var merged = entries
        for entry in changes { merged[entry.id] = entry }
        return Catalog(entries: Array(merged.values))
    }

    static func canonicalBytes(of sorted: [CatalogEntry]) -> [UInt8] {
        // Encoding a value type we define cannot fail; an empty array stands in if it ever did.
        (try? CanonicalJSON.encode(sorted)) ?? Array("[]".utf8)
    }

    static func revision(of sorted: [CatalogEntry]) -> String {
        "sha256:" + SeamlessHex.encode(Digest.sha256(canonicalBytes(of: sorted)))
    }
}
