import Foundation

/// Reads Seamless documents (catalog entries, consents, agreements…) from JSON with errors that name the
/// JSON path and the rule: strict JSON first, then the shape (unknown members are refused, so a typo
/// never silently drops a rule), then the document's own rules.
public enum DocumentReader {
    /// The largest document file accepted.
    public static let maxDocumentBytes = 16 << 20

    /// Reads one document of type `T` from `bytes`.
    public static func read<T: ValidatableDocument>(
        _ type: T.Type, from bytes: some Collection<UInt8>, source: String? = nil
    ) throws(DocumentError) -> T {
        let value = try parse(bytes, source: source)
        return try read(type, from: value, source: source)
    }

    /// Reads a file holding either one document or a JSON array of them.
    public static func readList<T: ValidatableDocument>(
        _ type: T.Type, from bytes: some Collection<UInt8>, source: String? = nil
    ) throws(DocumentError) -> [T] {
        let value = try parse(bytes, source: source)
        guard case .array(let elements) = value else {
            return [try read(type, from: value, source: source)]
        }
        var documents: [T] = []
        var issues: [ValidationIssue] = []
        for (index, element) in elements.enumerated() {
            do {
                documents.append(try read(type, from: element, source: source))
            } catch {
                issues += error.issues.map { issue in
                    ValidationIssue(
                        path: "$[\(index)]" + issue.path.dropFirst(), rule: issue.rule, message: issue.message)
                }
            }
        }
        if !issues.isEmpty { throw DocumentError(source: source, issues: issues) }
        return documents
    }

    /// Reads one document of type `T` from a parsed JSON value.
    public static func read<T: ValidatableDocument>(
        _ type: T.Type, from value: JSONValue, source: String? = nil
    ) throws(DocumentError) -> T {
        let document: T
        do {
            document = try JSONDecoder().decode(T.self, from: Data(CanonicalJSON.serialize(value)))
        } catch let error as DecodingError {
            throw DocumentError(source: source, issues: [issue(for: error, documentName: T.documentName)])
        } catch {
            throw DocumentError(
                source: source, rule: "document.unreadable", "cannot read the \(T.documentName): \(error)")
        }
        var issues = unknownMembers(
            input: value, known: (try? JSONParser().parse(CanonicalJSON.encode(document))) ?? .null, path: "$")
        issues += document.validationIssues()
        if !issues.isEmpty { throw DocumentError(source: source, issues: issues) }
        return document
    }

    static func parse(_ bytes: some Collection<UInt8>, source: String?) throws(DocumentError) -> JSONValue {
        guard bytes.count <= maxDocumentBytes else {
            throw DocumentError(
                source: source, rule: "document.too-large",
                "the file has \(bytes.count) bytes, more than the \(maxDocumentBytes)-byte limit")
        }
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw DocumentError(
                source: source, path: error.pathDescription, rule: "document.bad-json",
                "not valid JSON: \(error.reason) at byte \(error.offset)")
        }
    }

    /// Members of `input` that decoding did not keep: misspelt or unsupported members.
    static func unknownMembers(input: JSONValue, known: JSONValue, path: String) -> [ValidationIssue] {
        switch (input, known) {
        case (.object(let inputMembers), .object(let knownMembers)):
            var issues: [ValidationIssue] = []
            for key in inputMembers.keys.sorted() {
                let memberPath =
                    path + JSONParseError(offset: 0, path: [.key(key)], reason: "").pathDescription.dropFirst()
                guard let knownValue = knownMembers[key] else {
                    if inputMembers[key] == .null {
                        issues.append(
                            ValidationIssue(
                                path: memberPath, rule: "document.null-member",
                                message: "'\(key)' is null; leave it out instead"))
                    } else {
                        issues.append(
                            ValidationIssue(
                                path: memberPath, rule: "document.unknown-member",
                                message: "'\(key)' is not a member of this document"))
                    }
                    continue
                }
                issues += unknownMembers(input: inputMembers[key]!, known: knownValue, path: memberPath)
            }
            return issues
        case (.array(let inputElements), .array(let knownElements)) where inputElements.count == knownElements.count:
            return zip(inputElements, knownElements).enumerated().flatMap { index, pair in
                unknownMembers(input: pair.0, known: pair.1, path: path + "[\(index)]")
            }
        default:
            return []
        }
    }

    static func issue(for error: DecodingError, documentName: String) -> ValidationIssue {
        func path(_ codingPath: [any CodingKey]) -> String {
            JSONParseError(
                offset: 0,
                path: codingPath.map { key in key.intValue.map { .index($0) } ?? .key(key.stringValue) },
                reason: ""
            ).pathDescription
        }
        switch error {
        case .keyNotFound(let key, let context):
            return ValidationIssue(
                path: path(context.codingPath + [key]), rule: "document.missing-member",
                message: "the \(documentName) needs '\(key.stringValue)'")
        case .typeMismatch(let type, let context):
            return ValidationIssue(
                path: path(context.codingPath), rule: "document.wrong-type", message: "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return ValidationIssue(
                path: path(context.codingPath), rule: "document.wrong-type",
                message: "expected \(describe(type)), found null")
        case .dataCorrupted(let context):
            return ValidationIssue(
                path: path(context.codingPath), rule: "document.bad-value", message: context.debugDescription)
        @unknown default:
            return ValidationIssue(path: "$", rule: "document.unreadable", message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self || type == Int64.self { return "an integer" }
        if type == Double.self { return "a number" }
        if type == Bool.self { return "true or false" }
        let name = String(describing: type)
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "a \(name) value"
    }
}
