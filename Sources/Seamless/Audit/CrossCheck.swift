import Foundation

/// Compares two departments' bundles: every disclosure one logged to the other must have the other's
/// receipt for the same request hash, and every receipt must have the matching disclosure.
public enum CrossCheck {
    /// One side of an exchange that the other side did not log.
    public struct Unmatched: Sendable, Hashable, Codable, CustomStringConvertible {
        /// `disclosure-without-receipt`, `receipt-without-disclosure`, or `exchange-differs` when both
        /// sides logged the exchange but not the same fields, record count or response.
        public var rule: String
        /// The node whose log has the entry.
        public var node: String
        /// The entry.
        public var sequence: Int
        /// The request hash.
        public var requestHash: String
        /// What is missing.
        public var message: String

        public var description: String { "\(rule) (\(node) entry \(sequence)): \(message)" }
    }

    /// Cross-checks the bundles in folders `a` and `b`; both must be readable.
    public static func run(
        _ a: String, _ b: String
    ) throws(BundleUnreadable) -> (nodes: [String], unmatched: [Unmatched]) {
        let sides = [try side(a), try side(b)]
        guard sides[0].node != sides[1].node else {
            throw BundleUnreadable(reason: "both bundles are of \(sides[0].node); cross-check compares two departments")
        }
        var unmatched: [Unmatched] = []
        // Each side's disclosures need the other's receipts, and each side's receipts the other's disclosures.
        let pairs: [(AuditEvent.Kind, AuditEvent.Kind, String)] = [
            (.disclosure, .receipt, "disclosure-without-receipt"),
            (.receipt, .disclosure, "receipt-without-disclosure"),
        ]
        for (index, this) in sides.enumerated() {
            let other = sides[1 - index]
            for (kind, counterpart, rule) in pairs {
                for (sequence, event) in this.events where event.kind == kind && event.peer == other.node {
                    guard let hash = event.requestHash else { continue }
                    let match = other.events.first {
                        $0.1.kind == counterpart && $0.1.requestHash == hash && $0.1.peer == this.node
                    }?.1
                    if let match {
                        // Compare each matched pair once, from the disclosing side.
                        if kind == .disclosure,
                            Set(event.fields ?? []) != Set(match.fields ?? []) || event.recordCount != match.recordCount
                                || event.responseHash != match.responseHash
                        {
                            unmatched.append(
                                Unmatched(
                                    rule: "exchange-differs", node: this.node, sequence: sequence, requestHash: hash,
                                    message:
                                        "\(this.node) logged disclosing \(event.fields ?? []) (\(event.recordCount ?? 0) records, response \(event.responseHash ?? "none")) but \(other.node) logged receiving \(match.fields ?? []) (\(match.recordCount ?? 0) records, response \(match.responseHash ?? "none"))"
                                ))
                        }
                        continue
                    }
                    let what =
                        kind == .disclosure
                        ? "\(this.node) disclosed '\(event.resource ?? "?")' to \(other.node), which logged no receipt for this request"
                        : "\(this.node) logged receiving '\(event.resource ?? "?")' from \(other.node), which logged no disclosure for this request"
                    unmatched.append(
                        Unmatched(rule: rule, node: this.node, sequence: sequence, requestHash: hash, message: what))
                }
            }
        }
        return (sides.map(\.node), unmatched)
    }

    private static func side(_ path: String) throws(BundleUnreadable) -> (node: String, events: [(Int, AuditEvent)]) {
        let verification = try BundleVerifier.verify(path)
        guard verification.findings.isEmpty else {
            throw BundleUnreadable(
                reason:
                    "'\(path)' does not verify (\(verification.findings.count) findings); cross-check needs verified bundles"
            )
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path + "/entries.jsonl")) else {
            throw BundleUnreadable(reason: "'\(path)' has no readable entries.jsonl")
        }
        let events = data.split(separator: 0x0A).enumerated().compactMap { index, line -> (Int, AuditEvent)? in
            (try? JSONDecoder().decode(AuditEvent.self, from: Data(line))).map { (index, $0) }
        }
        return (verification.manifest.node, events)
    }
}
