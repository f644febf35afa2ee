import SeamlessCrypto

/// Reading a department's records for one of its resources from JSON Lines, checked against the catalog.
extension ProviderRecord {
    /// The most records one import may carry.
    public static let maxImportRecords = 10_000_000

    /// Reads one line `{"subject":"…","fields":{…}}` (subject optional) as a record of `entry`: the fields
    /// must be the entry's data items with values of their types, and the primary key must be there. To read
    /// many lines of one resource, make one ``RecordLineReader`` and read them with it.
    public static func read(
        line: some Collection<UInt8>, number: Int, of entry: CatalogEntry, at moment: Timestamp
    ) throws(DocumentError) -> ProviderRecord {
        try RecordLineReader(entry: entry).read(line: line, number: number, at: moment)
    }
}

/// Reads records of one resource from JSON Lines, checking each against the resource's catalog entry; what
/// the lines are checked against (the items by name, the primary key) is worked out once, not per line.
public struct RecordLineReader: Sendable {
    /// The resource's catalog entry.
    public let entry: CatalogEntry
    private let items: [String: DataItem]
    private let keyItems: [DataItem]

    /// A reader of `entry`'s records.
    public init(entry: CatalogEntry) {
        self.entry = entry
        items = Dictionary(entry.items.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        keyItems = entry.items.filter(\.isPrimaryKey)
    }

    /// Reads line `number` as a record of the entry, as ``ProviderRecord/read(line:number:of:at:)`` says.
    public func read(
        line: some Collection<UInt8>, number: Int, at moment: Timestamp
    ) throws(DocumentError) -> ProviderRecord {
        let source = "line \(number)"
        var issues = IssueCollector()
        let value: JSONValue
        do {
            value = try JSONParser().parse(line)
        } catch {
            throw DocumentError(
                source: source, issues: [ValidationIssue(path: "$", rule: "records.bad-json", message: "\(error)")])
        }
        guard case .object(let members) = value else {
            throw DocumentError(
                source: source,
                issues: [ValidationIssue(path: "$", rule: "records.not-object", message: "a record is a JSON object")])
        }
        for name in members.keys where name != "subject" && name != "fields" {
            issues.require(false, "$.\(name)", "records.unknown-member", "a record has only 'subject' and 'fields'")
        }
        var subject: String?
        if let given = members["subject"] {
            if case .string(let text) = given, ConsentRecord.isPseudonym(text) {
                subject = text
            } else {
                issues.require(
                    false, "$.subject", "records.bad-subject",
                    "'subject' is a pseudonym (not an ID card or phone number), as in consents")
            }
        }
        guard case .object(let fields)? = members["fields"] else {
            issues.require(false, "$.fields", "records.fields-required", "a record needs 'fields', an object")
            throw DocumentError(source: source, issues: issues.issues)
        }
        for (name, fieldValue) in fields {
            guard let item = items[name] else {
                issues.require(
                    false, "$.fields.\(name)", "records.unknown-field",
                    "'\(name)' is not a data item of \(entry.id)")
                continue
            }
            issues.require(
                item.type.accepts(fieldValue), "$.fields.\(name)", "records.bad-value",
                "'\(name)' is a \(item.type.rawValue) item; \(item.type.expectation)")
        }
        guard !keyItems.isEmpty else {
            issues.require(
                false, "$", "records.no-primary-key",
                "\(entry.id) has no primaryKey item, so its records cannot be told apart")
            throw DocumentError(source: source, issues: issues.issues)
        }
        // A key of several items (e.g. insured person, scheme and month) is their values joined by '|'.
        var parts: [String] = []
        for item in keyItems {
            guard let part = Self.keyPart(fields[item.name]) else {
                issues.require(
                    false, "$.fields.\(item.name)", "records.key-required",
                    "every record needs its primary key '\(item.name)'")
                continue
            }
            parts.append(part)
        }
        let key: String? = parts.count == keyItems.count ? parts.joined(separator: "|") : nil
        guard issues.issues.isEmpty, let key else { throw DocumentError(source: source, issues: issues.issues) }
        return ProviderRecord(resource: entry.id, key: key, subject: subject, fields: fields, updatedAt: moment)
    }
}

extension RecordLineReader {
    /// A primary-key item's value as part of the key: a non-empty string, an exact integer or a boolean.
    static func keyPart(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty: text
        case .bool(let flag)?: flag ? "true" : "false"
        default: value?.integerValue.map { String($0) }
        }
    }
}

extension FieldType {
    /// Whether `value` is a value of this type.
    func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string): true
        case (.integer, .number): value.integerValue != nil
        case (.decimal, .number): true
        case (.boolean, .bool): true
        case (.date, .string(let text)): CivilDate(iso: text) != nil
        case (.datetime, .string(let text)): Timestamp(rfc3339: text) != nil
        case (.time, .string(let text)): Self.isTime(text)
        case (.binary, .string(let text)): Base64.decode(text) != nil
        default: false
        }
    }

    /// What a value of this type looks like, for messages.
    var expectation: String {
        switch self {
        case .string: "give a string"
        case .integer: "give a whole number"
        case .decimal: "give a number"
        case .boolean: "give true or false"
        case .date: "give a date like \"2026-11-02\""
        case .datetime: "give a UTC time like \"2026-11-02T09:30:00Z\""
        case .time: "give a time like \"09:30:00\""
        case .binary: "give base64"
        }
    }

    private static func isTime(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), let second = Int(parts[2])
        else { return false }
        return (0..<24).contains(hour) && (0..<60).contains(minute) && (0..<60).contains(second)
    }
}
