/// One rule a document breaks: where (a JSONPath such as `$.items[2].sharing.type`), which rule (a stable
/// code such as `catalog.field-more-open-than-resource`) and a sentence a person can act on.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// The JSONPath of the offending value.
    public let path: String
    /// A stable, documented rule code.
    public let rule: String
    /// What is wrong and what would be right.
    public let message: String

    /// Creates an issue.
    public init(path: String, rule: String, message: String) {
        self.path = path
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(rule)]" }
}

/// A document (a file, or one entry of it) that was refused, with every rule it breaks.
public struct DocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or source the document came from, when known.
    public var source: String?
    /// Every issue found; never empty.
    public let issues: [ValidationIssue]

    /// Creates an error.
    public init(source: String? = nil, issues: [ValidationIssue]) {
        self.source = source
        self.issues = issues
    }

    /// An error with a single issue.
    public init(source: String? = nil, path: String = "$", rule: String, _ message: String) {
        self.init(source: source, issues: [ValidationIssue(path: path, rule: rule, message: message)])
    }

    public var description: String {
        let prefix = source.map { "\($0): " } ?? ""
        return issues.map { prefix + $0.description }.joined(separator: "\n")
    }
}

/// Collects issues with paths while a validator walks a document.
struct IssueCollector {
    private(set) var issues: [ValidationIssue] = []

    mutating func add(_ path: String, _ rule: String, _ message: String) {
        issues.append(ValidationIssue(path: path, rule: rule, message: message))
    }

    /// Adds an issue when `condition` is false.
    mutating func require(_ condition: Bool, _ path: String, _ rule: String, _ message: @autoclosure () -> String) {
        if !condition { add(path, rule, message()) }
    }

    /// Throws the collected issues, if any.
    func check(source: String? = nil) throws(DocumentError) {
        if !issues.isEmpty { throw DocumentError(source: source, issues: issues) }
    }
}

/// A document type that knows the rules a JSON Schema cannot express.
public protocol ValidatableDocument: Codable, Sendable {
    /// What the document is called in messages, e.g. `catalog entry`.
    static var documentName: String { get }
    /// The rules this value breaks; empty when it is valid.
    func validationIssues() -> [ValidationIssue]
}
