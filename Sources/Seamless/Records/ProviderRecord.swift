/// One record of a resource this node provides: its key (the value of the resource's primary-key item),
/// the pseudonymous subject it concerns (for consent-based requests), and its field values.
public struct ProviderRecord: Sendable, Hashable {
    /// The resource.
    public var resource: String
    /// The primary-key value, unique within the resource.
    public var key: String
    /// The data subject's pseudonym, when the record concerns one person.
    public var subject: String?
    /// The field values by item name; only the resource's data items.
    public var fields: [String: JSONValue]
    /// Increases with every change of any record of the resource: the changes feed's cursor.
    public var version: Int
    /// When it last changed.
    public var updatedAt: Timestamp

    /// Creates a record.
    public init(
        resource: String, key: String, subject: String?, fields: [String: JSONValue], version: Int = 0,
        updatedAt: Timestamp
    ) {
        self.resource = resource
        self.key = key
        self.subject = subject
        self.fields = fields
        self.version = version
        self.updatedAt = updatedAt
    }

    /// Only the named fields, for a response.
    public func minimised(to names: [String]) -> [String: JSONValue] {
        var kept: [String: JSONValue] = [:]
        for name in names { if let value = fields[name] { kept[name] = value } }
        return kept
    }
}

/// A record as the store holds it: the fields as the canonical JSON bytes they were stored as, parsed only
/// when a caller needs the values. A provider answering a page copies these bytes into its answer when every
/// stored field is granted, instead of parsing and writing them again.
public struct StoredRecord: Sendable, Hashable {
    /// The resource.
    public var resource: String
    /// The primary-key value, unique within the resource.
    public var key: String
    /// The data subject's pseudonym, when the record concerns one person.
    public var subject: String?
    /// The canonical JSON of the field values: an object.
    public var canonicalFields: [UInt8]
    /// The record's version (the changes feed's cursor).
    public var version: Int
    /// When it last changed.
    public var updatedAt: Timestamp

    /// Creates a stored record.
    public init(
        resource: String, key: String, subject: String?, canonicalFields: [UInt8], version: Int, updatedAt: Timestamp
    ) {
        self.resource = resource
        self.key = key
        self.subject = subject
        self.canonicalFields = canonicalFields
        self.version = version
        self.updatedAt = updatedAt
    }

    /// The record with its fields parsed.
    /// - Throws: ``StoreError/Code/database`` when the stored fields are not a JSON object.
    public func parsed() throws(StoreError) -> ProviderRecord {
        ProviderRecord(
            resource: resource, key: key, subject: subject,
            fields: try Self.fields(canonicalFields, of: "record '\(key)' of \(resource)"), version: version,
            updatedAt: updatedAt)
    }

    /// Stored fields (of a provided or a received record) read back: a JSON object.
    /// - Throws: ``StoreError/Code/database`` naming `what` when the bytes are not one.
    public static func fields(
        _ bytes: some Collection<UInt8>, of what: String
    ) throws(StoreError) -> [String: JSONValue] {
        guard case .object(let fields)? = try? JSONParser().parse(bytes) else {
            throw StoreError(.database, "the node database holds fields of \(what) that are not a JSON object")
        }
        return fields
    }
}

/// Which records of a resource a request asks for.
public enum RecordSelector: Sendable, Hashable, Codable {
    /// The records with these keys.
    case keys([String])
    /// The records of these subjects (consent-based requests name their subjects anyway).
    case subjects([String])
    /// The records whose field equals a string value.
    case fieldEquals(field: String, value: String)
    /// Every record, a page at a time.
    case all
    /// The records changed after version `version` of the resource, oldest change first: a subscription's
    /// changes feed (the answer's `next` is the version to continue from).
    case changedSince(Int)

    /// The most keys or subjects one selector may name.
    public static let maxValues = 1_000

    private enum CodingKeys: String, CodingKey {
        case keys, subjects, field, equals, all, changedSince
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let present = container.allKeys
        func only(_ keys: Set<CodingKeys>) -> Bool { Set(present) == keys }
        if only([.keys]) {
            self = .keys(try container.decode([String].self, forKey: .keys))
        } else if only([.subjects]) {
            self = .subjects(try container.decode([String].self, forKey: .subjects))
        } else if only([.field, .equals]) {
            self = .fieldEquals(
                field: try container.decode(String.self, forKey: .field),
                value: try container.decode(String.self, forKey: .equals))
        } else if only([.all]), try container.decode(Bool.self, forKey: .all) {
            self = .all
        } else if only([.changedSince]) {
            self = .changedSince(try container.decode(Int.self, forKey: .changedSince))
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a selector is exactly one of {\"keys\":[…]}, {\"subjects\":[…]}, {\"field\":…,\"equals\":…}, {\"all\":true} or {\"changedSince\":N}"
                ))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .keys(let keys): try container.encode(keys, forKey: .keys)
        case .subjects(let subjects): try container.encode(subjects, forKey: .subjects)
        case .fieldEquals(let field, let value):
            try container.encode(field, forKey: .field)
            try container.encode(value, forKey: .equals)
        case .all: try container.encode(true, forKey: .all)
        case .changedSince(let version): try container.encode(version, forKey: .changedSince)
        }
    }
}

/// A page of a resource's records: those the selector picks, in key order after `after` (in version order
/// for ``RecordSelector/changedSince(_:)``).
public struct RecordQuery: Sendable, Hashable {
    /// The resource.
    public var resource: String
    /// Which records.
    public var selector: RecordSelector
    /// Only keys greater than this (the previous page's last key).
    public var after: String?
    /// The most records.
    public var limit: Int

    /// Creates a query.
    public init(resource: String, selector: RecordSelector, after: String? = nil, limit: Int) {
        self.resource = resource
        self.selector = selector
        self.after = after
        self.limit = limit
    }
}
